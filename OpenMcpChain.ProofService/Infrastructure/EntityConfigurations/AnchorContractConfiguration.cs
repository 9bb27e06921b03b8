using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpenMcpChain.ProofService.Infrastructure.EntityConfigurations;

internal sealed class AnchorContractConfiguration : IEntityTypeConfiguration<AnchorContract>
{
    public void Configure(EntityTypeBuilder<AnchorContract> b)
    {
        b.ToTable("anchor_contracts");
        b.Property(c => c.Network).HasMaxLength(64);
        b.Property(c => c.Address).HasMaxLength(42);
        b.Property(c => c.Signer).HasMaxLength(42);
        b.Property(c => c.DeployTxHash).HasMaxLength(66);
        b.HasIndex(c => new { c.Network, c.Address }).IsUnique();
    }
}
