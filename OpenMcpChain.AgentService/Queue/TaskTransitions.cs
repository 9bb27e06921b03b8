using System.Linq.Expressions;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;
using OpenMcpChain.AgentService.Infrastructure;
using OpenMcpChain.Sdk;
using StackExchange.Redis;

namespace OpenMcpChain.AgentService.Queue;

/// <summary>
/// Every state change of a task goes through here: a conditional update (the task must be in one of the expected
/// states) and its <c>task_events</c> row commit together; then a progress event is published for live readers.
/// </summary>
public sealed class TaskTransitions(AgentDbContext db, TaskProgress progress, ILogger<TaskTransitions> logger)
{
    public async Task<bool> MoveAsync(string taskId, IReadOnlyCollection<string> from, string to, string? detail = null,
        Expression<Func<SetPropertyCalls<AgentTask>, SetPropertyCalls<AgentTask>>>? set = null)
    {
        var now = DateTimeOffset.UtcNow;
        await using var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None);
        var changed = await db.Tasks.Where(t => t.Id == taskId && from.Contains(t.Status))
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, to).SetProperty(t => t.UpdatedAt, now), CancellationToken.None);
        if (changed == 0) return false;
        if (set is not null) await db.Tasks.Where(t => t.Id == taskId).ExecuteUpdateAsync(set, CancellationToken.None);
        db.TaskEvents.Add(new TaskEvent { TaskId = taskId, Status = to, Detail = detail, At = now });
        await db.SaveChangesAsync(CancellationToken.None);
        await transaction.CommitAsync(CancellationToken.None);
        logger.LogInformation("Task {TaskId} moved to {State}{Detail}", taskId, to, detail is null ? "" : $" ({detail})");
        await progress.PublishAsync(taskId, new { type = "status", status = to, detail, at = now.ToUnixTimeMilliseconds() });
        return true;
    }
}

/// <summary>Live progress of a task on the Redis Stream <c>agent:progress:{task}</c> (status changes and steps), best effort.</summary>
public sealed class TaskProgress(IConnectionMultiplexer redis, ILogger<TaskProgress> logger)
{
    public static string StreamKey(string taskId) => $"agent:progress:{taskId}";

    public async Task PublishAsync(string taskId, object evt)
    {
        try
        {
            var db = redis.GetDatabase();
            await db.StreamAddAsync(StreamKey(taskId), "event", JsonSerializer.Serialize(evt, OpenMcpChainJson.Options), maxLength: 1000, useApproximateMaxLength: true);
            await db.KeyExpireAsync(StreamKey(taskId), TimeSpan.FromDays(1));
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogDebug("Progress of task {TaskId} not published: {Reason}", taskId, e.Message);
        }
    }

    /// <summary>Events after <paramref name="after"/> (exclusive; "0-0" for all), with their stream ids.</summary>
    public async Task<IReadOnlyList<(string Id, string Json)>> ReadAsync(string taskId, string after)
    {
        var entries = await redis.GetDatabase().StreamRangeAsync(StreamKey(taskId), after == "0-0" ? "-" : "(" + after, "+", count: 100);
        return [.. entries.Select(e => (e.Id.ToString(), e["event"].ToString()))];
    }
}
