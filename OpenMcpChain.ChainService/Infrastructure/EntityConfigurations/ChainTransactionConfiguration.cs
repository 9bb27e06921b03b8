using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpenMcpChain.ChainService.Infrastructure.EntityConfigurations;

internal sealed class ChainTransactionConfiguration : IEntityTypeConfiguration<ChainTransaction>
{
    public void Configure(EntityTypeBuilder<ChainTransaction> b)
    {
        b.ToTable("transactions");
        b.Property(t => t.IdempotencyKey).HasMaxLength(128);
        b.HasIndex(t => t.IdempotencyKey).IsUnique();
        b.Property(t => t.Network).HasMaxLength(64);
        b.Property(t => t.Wallet).HasMaxLength(64);
        b.Property(t => t.From).HasMaxLength(42);
        b.Property(t => t.To).HasMaxLength(42);
        b.Property(t => t.Value).HasMaxLength(80);
        b.Property(t => t.Data).HasColumnType("longtext");
        b.Property(t => t.RawTransaction).HasColumnType("longtext");
        b.Property(t => t.TxHash).HasMaxLength(66);
        b.HasIndex(t => t.TxHash);
        b.Property(t => t.Status).HasMaxLength(16);
        b.Property(t => t.MaxFeePerGas).HasMaxLength(80);
        b.Property(t => t.MaxPriorityFeePerGas).HasMaxLength(80);
        b.HasIndex(t => new { t.Status, t.UpdatedAt });
        b.HasIndex(t => new { t.Network, t.From, t.Nonce });
        // Budget recounts: per task, per wallet per day, per caller per day.
        b.HasIndex(t => t.TaskId);
        b.HasIndex(t => new { t.Network, t.From, t.CreatedAt });
        b.HasIndex(t => new { t.Network, t.Caller, t.CreatedAt });
        b.Property(t => t.Caller).HasMaxLength(64);
        b.Property(t => t.TaskId).HasMaxLength(64);
        b.Property(t => t.RequestJson).HasColumnType("longtext");
    }
}
