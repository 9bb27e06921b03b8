using System.Threading.Channels;
using OpenMcpChain.ChainService.Infrastructure;

namespace OpenMcpChain.ChainService.Audit;

/// <summary>
/// Writes tool-call records in batches off the request path, so a read costs no database commit. Writes are still
/// durable where it matters: their transaction row is committed before broadcast. Drained on shutdown.
/// </summary>
/// <remarks>
/// A read's record waits up to <see cref="Linger"/> to share its commit with the calls after it: written one by one,
/// each record's insert and commit took more of the two cores than the read it records. A record carrying a policy
/// decision (a write) is written at once, since the transparency log forwards decisions and a task's attestation waits for them.
/// </remarks>
public sealed class AuditWriter(IServiceScopeFactory scopes, ILogger<AuditWriter> logger) : BackgroundService
{
    private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(200);

    private readonly Channel<ToolCallRecord> _queue = Channel.CreateBounded<ToolCallRecord>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });
    private TaskCompletionSource _decisionQueued = NewSignal();

    public ValueTask EnqueueAsync(ToolCallRecord record)
    {
        var queued = _queue.Writer.WriteAsync(record);
        if (record.PolicyDecision is not null) Volatile.Read(ref _decisionQueued).TrySetResult();
        return queued;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<ToolCallRecord>(500);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                // A decision queued from here on completes the signal this pass waits on, or the next pass's.
                await Task.WhenAny(Volatile.Read(ref _decisionQueued).Task, Task.Delay(Linger, stoppingToken));
                Volatile.Write(ref _decisionQueued, NewSignal());
                await DrainAsync(batch);
            }
        }
        catch (OperationCanceledException)
        {
        }
        _queue.Writer.TryComplete();
        await DrainAsync(batch);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task DrainAsync(List<ToolCallRecord> batch)
    {
        while (true)
        {
            batch.Clear();
            while (batch.Count < 500 && _queue.Reader.TryRead(out var record)) batch.Add(record);
            if (batch.Count == 0) return;
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<ChainDbContext>();
                db.ToolCalls.AddRange(batch);
                await db.SaveChangesAsync();
            }
            catch (Exception e)
            {
                logger.LogError(e, "Could not record {Count} tool calls", batch.Count);
            }
        }
    }
}
