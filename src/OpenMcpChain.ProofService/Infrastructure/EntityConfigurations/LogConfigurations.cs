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
