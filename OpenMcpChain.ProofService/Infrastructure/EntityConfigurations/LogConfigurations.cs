using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpenMcpChain.ProofService.Infrastructure.EntityConfigurations;

internal sealed class LogEntryConfiguration : IEntityTypeConfiguration<LogEntry>
{
    public void Configure(EntityTypeBuilder<LogEntry> b)
    {
        b.ToTable("log_entries");
        b.HasKey(e => e.Index);
        b.Property(e => e.Index).ValueGeneratedNever();
        b.Property(e => e.Entry).HasColumnType("longtext");
        b.Property(e => e.LeafHash).HasColumnType("binary(32)");
        b.Property(e => e.TaskId).HasMaxLength(64);
        b.HasIndex(e => e.TaskId);
    }
}

internal sealed class LogNodeConfiguration : IEntityTypeConfiguration<LogNode>
{
    public void Configure(EntityTypeBuilder<LogNode> b)
    {
        b.ToTable("log_nodes");
        b.HasKey(n => new { n.Level, n.Index });
        b.Property(n => n.Hash).HasColumnType("binary(32)");
    }
}

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
