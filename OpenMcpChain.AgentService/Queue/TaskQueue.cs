using StackExchange.Redis;

namespace OpenMcpChain.AgentService.Queue;

/// <summary>The task queue: a Redis Stream read by the <c>agents</c> consumer group.</summary>
public sealed class TaskQueue(IConnectionMultiplexer redis, ILogger<TaskQueue> logger)
{
    public const string StreamKey = "agent:tasks";
    public const string Group = "agents";
    private const string TaskIdField = "task_id";
    /// <summary>Pub/sub channel that wakes idle consumers as soon as a task is added (the stream stays the source of truth).</summary>
    public static readonly RedisChannel WakeChannel = RedisChannel.Literal("agent:tasks:wake");

    private IDatabase Db => redis.GetDatabase();

    public async Task EnsureGroupAsync()
    {
        try
        {
            await Db.StreamCreateConsumerGroupAsync(StreamKey, Group, StreamPosition.Beginning, createStream: true);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
        }
    }

    /// <summary>Adds a task to the stream; false when Redis cannot be reached (the sweeper will enqueue it later).</summary>
    public async Task<bool> TryEnqueueAsync(string taskId)
    {
        try
        {
            await Db.StreamAddAsync(StreamKey, TaskIdField, taskId);
            await redis.GetSubscriber().PublishAsync(WakeChannel, "1", CommandFlags.FireAndForget);
            return true;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogWarning("Task {TaskId} could not be enqueued now: {Reason}", taskId, e.Message);
            return false;
        }
    }

    public async Task<IReadOnlyList<QueuedTask>> ReadAsync(string consumer, int count) =>
        ToQueued(await Db.StreamReadGroupAsync(StreamKey, Group, consumer, StreamPosition.NewMessages, count), reclaimed: false);

    /// <summary>Takes over messages another consumer left unacknowledged for <paramref name="minIdle"/> (a crashed worker's).</summary>
    /// <summary>
    /// Messages delivered to <paramref name="consumer"/> and not acknowledged: ones it failed to finish (the database or
    /// Redis was away mid-way). They are its own to run again, as a takeover: the task may already be running.
    /// </summary>
    public async Task<IReadOnlyList<QueuedTask>> ReadOwnPendingAsync(string consumer, int count) =>
        ToQueued(await Db.StreamReadGroupAsync(StreamKey, Group, consumer, StreamPosition.Beginning, count), reclaimed: true);

    public async Task<IReadOnlyList<QueuedTask>> ReclaimAsync(string consumer, TimeSpan minIdle, int count)
    {
        var result = await Db.StreamAutoClaimAsync(StreamKey, Group, consumer, (long)minIdle.TotalMilliseconds, "0-0", count);
        return ToQueued(result.ClaimedEntries, reclaimed: true);
    }

    /// <summary>Calls <paramref name="wake"/> whenever a task is added anywhere.</summary>
    public Task SubscribeAsync(Action wake) => redis.GetSubscriber().SubscribeAsync(WakeChannel, (_, _) => wake());

    public Task AckAsync(QueuedTask message) => Db.StreamAcknowledgeAsync(StreamKey, Group, message.MessageId);

    private static List<QueuedTask> ToQueued(StreamEntry[] entries, bool reclaimed) =>
        entries.Where(e => !e.IsNull)
            .Select(e => new QueuedTask(e.Id!, e[TaskIdField].ToString(), reclaimed))
            .ToList();
}

/// <summary>One stream message: which task, and whether it was taken over from another consumer.</summary>
public sealed record QueuedTask(string MessageId, string TaskId, bool Reclaimed);
