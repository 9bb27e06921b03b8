using Microsoft.EntityFrameworkCore;

namespace OpenMcpChain.AgentService.Infrastructure;

/// <summary>agentdb: tasks, their state changes and steps, and agent profiles.</summary>
public sealed class AgentDbContext(DbContextOptions<AgentDbContext> options) : DbContext(options)
{
    public DbSet<AgentTask> Tasks => Set<AgentTask>();
    public DbSet<TaskEvent> TaskEvents => Set<TaskEvent>();
    public DbSet<TaskStep> TaskSteps => Set<TaskStep>();
    public DbSet<AgentProfile> Profiles => Set<AgentProfile>();

    protected override void OnModelCreating(ModelBuilder builder) =>
        builder.ApplyConfigurationsFromAssembly(typeof(AgentDbContext).Assembly);
}
