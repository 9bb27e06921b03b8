using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpenMcpChain.ChainService.Infrastructure.EntityConfigurations;

internal sealed class TransactionReplacementConfiguration : IEntityTypeConfiguration<TransactionReplacement>
{
    public void Configure(EntityTypeBuilder<TransactionReplacement> b)
    {
        b.ToTable("transaction_replacements");
        b.HasIndex(r => r.TransactionId);
        b.HasIndex(r => r.LogIndex);
        b.Property(r => r.ReplacedHash).HasMaxLength(66);
        b.Property(r => r.ReplacedRaw).HasColumnType("longtext");
        b.Property(r => r.TxHash).HasMaxLength(66);
        b.Property(r => r.MaxFeePerGas).HasMaxLength(80);
        b.Property(r => r.MaxPriorityFeePerGas).HasMaxLength(80);
        b.Property(r => r.Reason).HasMaxLength(32);
        b.Property(r => r.TaskId).HasMaxLength(64);
    }
}
