using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpenMcpChain.ProofService.Infrastructure.EntityConfigurations;

internal sealed class AnchorConfiguration : IEntityTypeConfiguration<Anchor>
{
    public void Configure(EntityTypeBuilder<Anchor> b)
    {
        b.ToTable("anchors");
        b.Property(a => a.Network).HasMaxLength(64);
        b.Property(a => a.Contract).HasMaxLength(42);
        b.Property(a => a.Root).HasMaxLength(66);
        b.Property(a => a.TreeHeadSignature).HasMaxLength(132);
        b.Property(a => a.TxHash).HasMaxLength(66);
        b.Property(a => a.Status).HasMaxLength(16);
        b.HasIndex(a => new { a.Contract, a.TreeSize }).IsUnique();
        b.HasIndex(a => new { a.Status, a.TreeSize });
    }
}
