using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpenMcpChain.AgentService.Infrastructure.EntityConfigurations;

internal sealed class AgentTaskConfiguration : IEntityTypeConfiguration<AgentTask>
{
    public void Configure(EntityTypeBuilder<AgentTask> builder)
    {
        builder.ToTable("tasks");
        builder.Property(t => t.Id).HasMaxLength(64);
        builder.Property(t => t.Goal).HasColumnType("text");
        builder.Property(t => t.ChainAction).HasMaxLength(64);
        builder.Property(t => t.Address).HasMaxLength(64);
        builder.Property(t => t.MetadataJson).HasColumnType("longtext");
        builder.Property(t => t.Network).HasMaxLength(64);
        builder.Property(t => t.SessionId).HasMaxLength(64);
        builder.Property(t => t.IdempotencyKey).HasMaxLength(128);
        builder.Property(t => t.Status).HasMaxLength(32);
        builder.Property(t => t.ResultJson).HasColumnType("longtext");
        builder.Property(t => t.ErrorCode).HasMaxLength(64);
        builder.Property(t => t.ErrorMessage).HasColumnType("text");
        builder.HasIndex(t => t.IdempotencyKey).IsUnique();
        builder.HasIndex(t => new { t.Status, t.UpdatedAt });
        builder.HasIndex(t => t.UpdatedAt);
        builder.Property(t => t.ApprovalId).HasMaxLength(64);
        builder.Property(t => t.Profile).HasMaxLength(64);
        builder.Property(t => t.SubmittedBy).HasMaxLength(64);
        builder.Property(t => t.TraceParent).HasMaxLength(64);
        builder.HasIndex(t => new { t.SessionId, t.CreatedAt });
    }
}
