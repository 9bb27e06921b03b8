using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpenMcpChain.AgentService.Infrastructure.EntityConfigurations;

internal sealed class TaskStepConfiguration : IEntityTypeConfiguration<TaskStep>
{
    public void Configure(EntityTypeBuilder<TaskStep> builder)
    {
        builder.ToTable("task_steps");
        builder.Property(s => s.TaskId).HasMaxLength(64);
        builder.Property(s => s.Kind).HasMaxLength(16);
        builder.Property(s => s.Name).HasMaxLength(64);
        builder.Property(s => s.ArgumentsJson).HasColumnType("longtext");
        builder.Property(s => s.Output).HasColumnType("longtext");
        builder.Property(s => s.CallId).HasMaxLength(128);
        builder.Property(s => s.Content).HasColumnType("longtext");
        builder.Property(s => s.ErrorCode).HasMaxLength(64);
        builder.Property(s => s.PolicyDecision).HasMaxLength(64);
        builder.HasIndex(s => new { s.TaskId, s.Attempt, s.Seq }).IsUnique();
    }
}
