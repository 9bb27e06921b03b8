using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpenMcpChain.ChainService.Infrastructure.EntityConfigurations;

internal sealed class SubscriptionConfiguration : IEntityTypeConfiguration<Subscription>
{
    public void Configure(EntityTypeBuilder<Subscription> b)
    {
        b.ToTable("subscriptions");
        b.Property(s => s.Id).HasMaxLength(64);
        b.Property(s => s.Network).HasMaxLength(64);
        b.Property(s => s.Address).HasMaxLength(42);
        b.Property(s => s.EventSignature).HasMaxLength(512);
        b.Property(s => s.Topic0).HasMaxLength(66);
    }
}
