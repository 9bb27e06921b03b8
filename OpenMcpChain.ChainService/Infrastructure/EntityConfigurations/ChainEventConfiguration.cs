using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpenMcpChain.ChainService.Infrastructure.EntityConfigurations;

internal sealed class ChainEventConfiguration : IEntityTypeConfiguration<ChainEvent>
{
    public void Configure(EntityTypeBuilder<ChainEvent> b)
    {
        b.ToTable("chain_events");
        b.Property(e => e.SubscriptionId).HasMaxLength(64);
        b.Property(e => e.TxHash).HasMaxLength(66);
        b.Property(e => e.ArgsJson).HasColumnType("longtext");
        b.HasIndex(e => new { e.SubscriptionId, e.BlockNumber, e.LogIndex }).IsUnique();
    }
}
