using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpenMcpChain.AgentService.Infrastructure.EntityConfigurations;

internal sealed class TaskEventConfiguration : IEntityTypeConfiguration<TaskEvent>
{
    public void Configure(EntityTypeBuilder<TaskEvent> builder)
    {
        builder.ToTable("task_events");
        builder.Property(e => e.TaskId).HasMaxLength(64);
        builder.Property(e => e.Status).HasMaxLength(32);
        builder.Property(e => e.Detail).HasColumnType("text");
        builder.HasIndex(e => new { e.TaskId, e.Id });
    }
}
