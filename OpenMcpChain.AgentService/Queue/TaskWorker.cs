using Microsoft.Extensions.Options;
using OpenMcpChain.AgentService.Agent;

namespace OpenMcpChain.AgentService.Queue;

/// <summary>Consumes the task stream with <see cref="AgentOptions.Concurrency"/> loops; a message is acknowledged after its task's state is committed.</summary>
public sealed class TaskWorker(TaskQueue queue, IServiceScopeFactory scopes, IOptions<AgentOptions> options, ILogger<TaskWorker> logger)
    : BackgroundService
{
    private static readonly TimeSpan IdleDelay = TimeSpan.FromMilliseconds(200);
    private readonly SemaphoreSlim _wake = new(0);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await WaitForQueueAsync(stoppingToken);
        // Idle loops wait for a wake-up (a task was added) or the idle delay, whichever is first.
        var loops = Math.Max(1, options.Value.Concurrency);
        await queue.SubscribeAsync(() =>
        {
            if (_wake.CurrentCount < loops) _wake.Release();
        });
        var consumer = $"{Environment.MachineName}-{Environment.ProcessId}";
        await Task.WhenAll(Enumerable.Range(0, loops).Select(i => ConsumeAsync($"{consumer}-{i}", stoppingToken)));
    }

    private async Task WaitForQueueAsync(CancellationToken ct)
    {
        while (true)
        {
            try
            {
                await queue.EnsureGroupAsync();
                return;
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                logger.LogWarning("The task stream is not reachable yet: {Reason}", e.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), ct);
            }
        }
    }

    private async Task ConsumeAsync(string consumer, CancellationToken ct)
    {
        // After a failure mid-message, this consumer runs its own unacknowledged message again as soon as it can, instead of
        // leaving the task idle until another consumer reclaims it (ReclaimAfter, minutes: a live run may take that long).
        var retryOwn = false;
        // A message can only be taken over once idle for ReclaimAfter: looking for one a few times per that period is
        // enough, and spares every other pass (each task's pick-up) a round trip.
        var reclaimEvery = (long)(options.Value.ReclaimAfter / 4).TotalMilliseconds;
        var nextReclaim = 0L;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var messages = retryOwn ? await queue.ReadOwnPendingAsync(consumer, 1) : [];
                retryOwn = false;
                if (messages.Count == 0 && Environment.TickCount64 >= nextReclaim)
                {
                    messages = await queue.ReclaimAsync(consumer, options.Value.ReclaimAfter, 1);
                    // Until none is left to take over, look again at once.
                    if (messages.Count == 0) nextReclaim = Environment.TickCount64 + reclaimEvery;
                }
                if (messages.Count == 0)
                {
                    messages = await queue.ReadAsync(consumer, 1);
                }
                if (messages.Count == 0)
                {
                    await _wake.WaitAsync(IdleDelay, ct);
                    continue;
                }
                foreach (var message in messages)
                {
                    await using var scope = scopes.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<TaskProcessor>().ProcessAsync(message, ct);
                    await queue.AckAsync(message);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (StackExchange.Redis.RedisServerException e) when (e.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
            {
                // Redis came back empty: recreate the group; the sweeper re-enqueues what the lost stream held.
                logger.LogWarning("The task stream's consumer group is gone; recreating it");
                await queue.EnsureGroupAsync();
            }
            catch (Exception e)
            {
                retryOwn = true;
                logger.LogError(e, "Consumer {Consumer} failed; retrying", consumer);
                await Task.Delay(TimeSpan.FromSeconds(1), ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }
}
