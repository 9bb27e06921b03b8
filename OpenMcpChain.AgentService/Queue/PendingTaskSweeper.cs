using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenMcpChain.AgentService.Agent;
using OpenMcpChain.AgentService.Infrastructure;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.AgentService.Queue;

/// <summary>
/// Enqueues pending tasks that never reached the stream (Redis down at submit) or were handed back for a retry, and
/// again those whose message has waited longer than a takeover would (the stream lost it, e.g. Redis restarted empty).
/// A second message for a task is harmless: only one claim of a pending task succeeds.
/// </summary>
public sealed class PendingTaskSweeper(IServiceScopeFactory scopes, TaskQueue queue, IOptions<AgentOptions> options, ILogger<PendingTaskSweeper> logger)
    : PeriodicWorker(options.Value.SweepInterval, logger)
{
    protected override Task RunOnceAsync(CancellationToken ct) => SweepAsync(ct);

    public async Task SweepAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AgentDbContext>();
        var cutoff = DateTimeOffset.UtcNow - options.Value.SweepInterval;
        var lost = DateTimeOffset.UtcNow - options.Value.ReclaimAfter - options.Value.SweepInterval;
        var stranded = await db.Tasks
            .Where(t => t.Status == TaskStatuses.Pending && (t.EnqueuedAt == null ? t.UpdatedAt <= cutoff : t.EnqueuedAt <= lost))
            .OrderBy(t => t.UpdatedAt)
            .Select(t => t.Id)
            .Take(100)
            .ToListAsync(ct);
        foreach (var id in stranded)
        {
            if (!await queue.TryEnqueueAsync(id))
            {
                return;
            }
            var now = DateTimeOffset.UtcNow;
            await db.Tasks.Where(t => t.Id == id).ExecuteUpdateAsync(s => s.SetProperty(t => t.EnqueuedAt, now), ct);
            logger.LogInformation("Task {TaskId} re-enqueued by the sweeper", id);
        }
    }
}
