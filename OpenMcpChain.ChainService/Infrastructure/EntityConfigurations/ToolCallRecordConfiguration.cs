using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpenMcpChain.ChainService.Infrastructure.EntityConfigurations;

internal sealed class ToolCallRecordConfiguration : IEntityTypeConfiguration<ToolCallRecord>
{
    public void Configure(EntityTypeBuilder<ToolCallRecord> b)
    {
        b.ToTable("tool_calls");
        b.Property(t => t.Caller).HasMaxLength(64);
        b.Property(t => t.Tool).HasMaxLength(64);
        b.Property(t => t.ArgumentsJson).HasColumnType("longtext");
        b.Property(t => t.ResultJson).HasColumnType("longtext");
        b.Property(t => t.ErrorCode).HasMaxLength(64);
        b.Property(t => t.PolicyDecision).HasMaxLength(64);
        b.Property(t => t.TaskId).HasMaxLength(64);
        b.HasIndex(t => t.CreatedAt);
        b.HasIndex(t => new { t.LogIndex, t.PolicyDecision });
    }
}
