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
