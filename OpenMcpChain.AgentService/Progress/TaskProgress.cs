using System.Text.Json;
using OpenMcpChain.Sdk;
using StackExchange.Redis;

namespace OpenMcpChain.AgentService.Progress;

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
