using System.Threading.Channels;
using OpenMcpChain.ChainService.Infrastructure;

namespace OpenMcpChain.ChainService.Audit;

/// <summary>
/// Writes tool-call records in batches off the request path, so a read costs no database commit. Writes are still
/// durable where it matters: their transaction row is committed before broadcast. Drained on shutdown.
/// </summary>
public sealed class AuditWriter(IServiceScopeFactory scopes, ILogger<AuditWriter> logger) : BackgroundService
{
    private readonly Channel<ToolCallRecord> _queue = Channel.CreateBounded<ToolCallRecord>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });

    public ValueTask EnqueueAsync(ToolCallRecord record) => _queue.Writer.WriteAsync(record);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<ToolCallRecord>(500);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                await DrainAsync(batch);
            }
        }
        catch (OperationCanceledException)
        {
        }
        _queue.Writer.TryComplete();
        await DrainAsync(batch);
    }

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
