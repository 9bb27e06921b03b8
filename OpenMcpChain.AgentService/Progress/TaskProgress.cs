using System.Text.Json;
using OpenMcpChain.Sdk;
using StackExchange.Redis;

namespace OpenMcpChain.AgentService.Progress;

/// <summary>
/// Live progress of a task on the Redis Stream <c>agent:progress:{task}</c> (status changes and steps), best effort. Each
/// event also names its task on a pub/sub channel, so readers waiting for the next event are woken at once instead of
/// polling the stream.
/// </summary>
public sealed class TaskProgress(IConnectionMultiplexer redis, ILogger<TaskProgress> logger)
{
    private static readonly RedisChannel Added = RedisChannel.Literal("agent:progress:added");
    // Per task, the wake-up its waiting readers share and how many hold it (guarded by its own lock).
    private readonly Dictionary<string, (TaskCompletionSource Signal, int Readers)> _signals = [];
    private Task? _subscribed;

    public static string StreamKey(string taskId) => $"agent:progress:{taskId}";

    public async Task PublishAsync(string taskId, object evt)
    {
        try
        {
            var db = redis.GetDatabase();
            await db.StreamAddAsync(StreamKey(taskId), "event", JsonSerializer.Serialize(evt, OpenMcpChainJson.Options), maxLength: 1000, useApproximateMaxLength: true);
            _ = db.KeyExpireAsync(StreamKey(taskId), TimeSpan.FromDays(1), flags: CommandFlags.FireAndForget);
            _ = redis.GetSubscriber().PublishAsync(Added, taskId, CommandFlags.FireAndForget);
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

    /// <summary>
    /// Completes when the next event of <paramref name="taskId"/> is published, from any process. Take it before reading,
    /// then wait on it when the read found nothing new, so an event published in between is not missed; give it back with
    /// <see cref="Forget"/> when done with it.
    /// </summary>
    public async Task<Task> NextEventAsync(string taskId)
    {
        var subscribed = _subscribed ??= redis.GetSubscriber().SubscribeAsync(Added, (_, id) =>
        {
            TaskCompletionSource? woken = null;
            lock (_signals)
            {
                if (_signals.Remove(id.ToString(), out var held)) woken = held.Signal;
            }
            woken?.TrySetResult();
        });
        try
        {
            await subscribed;
        }
        catch
        {
            _ = Interlocked.CompareExchange(ref _subscribed, null, subscribed); // Redis was away: subscribe again next time
            throw;
        }
        lock (_signals)
        {
            if (!_signals.TryGetValue(taskId, out var held)) held = (new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), 0);
            _signals[taskId] = (held.Signal, held.Readers + 1);
            return held.Signal.Task;
        }
    }

    /// <summary>
    /// Gives back a wake-up taken with <see cref="NextEventAsync"/>; the last reader holding one no event completed (the
    /// last pass of a stream, a reader that left) drops it, so none is kept for a task that has no events left.
    /// </summary>
    public void Forget(string taskId, Task next)
    {
        lock (_signals)
        {
            if (!_signals.TryGetValue(taskId, out var held) || held.Signal.Task != next) return; // woken: already dropped
            if (held.Readers > 1) _signals[taskId] = (held.Signal, held.Readers - 1);
            else _signals.Remove(taskId);
        }
    }
}
