using System.Text;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using OpenMcpChain.ProofService.Infrastructure;
using OpenMcpChain.Sdk.Proofs;

namespace OpenMcpChain.ProofService.Log;

/// <summary>
/// The single writer of the log. Concurrent appends queue here and are committed in batches: one transaction writes
/// every waiting entry and the perfect-subtree nodes they complete, and each caller learns its index only after the
/// commit is durable. The right edge of the tree (at most one node per level) stays in memory between batches.
/// </summary>
public sealed class LogSequencer(IServiceScopeFactory scopes, ILogger<LogSequencer> logger) : BackgroundService
{
    public const int MaxBatch = 1000;
    private readonly Channel<Pending[]> _queue = Channel.CreateUnbounded<Pending[]>(); // a request's entries stay together
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private MerkleFrontier _frontier = new();
    private long _size;

    /// <summary>The number of entries durably in the log.</summary>
    public long Size => Interlocked.Read(ref _size);

    public Task WaitReadyAsync(CancellationToken ct) => _ready.Task.WaitAsync(ct);

    private sealed record Pending(string Entry, string? TaskId, TaskCompletionSource<(long, byte[])> Done);

    /// <summary>Appends a canonical entry (about <paramref name="taskId"/>, if any); completes with its index and leaf hash once committed.</summary>
    public async Task<(long Index, byte[] LeafHash)> AppendAsync(string canonicalEntry, string? taskId, CancellationToken ct)
    {
        var done = new TaskCompletionSource<(long, byte[])>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _queue.Writer.WriteAsync([new Pending(canonicalEntry, taskId, done)], ct);
        return await done.Task.WaitAsync(ct);
    }

    /// <summary>Appends entries at consecutive indexes in one commit; completes once they are durable.</summary>
    public async Task<(long Index, byte[] LeafHash)[]> AppendManyAsync(IReadOnlyList<(string Entry, string? TaskId)> entries, CancellationToken ct)
    {
        var pending = entries.Select(e => new Pending(e.Entry, e.TaskId,
            new TaskCompletionSource<(long, byte[])>(TaskCreationOptions.RunContinuationsAsynchronously))).ToArray();
        await _queue.Writer.WriteAsync(pending, ct);
        return await Task.WhenAll(pending.Select(p => p.Done.Task)).WaitAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await LoadAsync(stoppingToken);
        var batch = new List<Pending>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync(stoppingToken))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var group)) batch.AddRange(group);
            try
            {
                var committed = await CommitAsync(batch, stoppingToken);
                for (var i = 0; i < batch.Count; i++) batch[i].Done.TrySetResult((committed[i].Index, committed[i].LeafHash));
            }
            catch (Exception e)
            {
                logger.LogError(e, "Appending {Count} log entries failed", batch.Count);
                foreach (var item in batch) item.Done.TrySetException(e);
                await LoadAsync(stoppingToken); // the in-memory edge may be ahead of what committed
            }
        }
    }

    private async Task<List<LogEntry>> CommitAsync(List<Pending> entries, CancellationToken ct)
    {
        var first = _size;
        var frontier = _frontier.Clone();
        var entryRows = new List<LogEntry>(entries.Count);
        var nodeRows = new List<LogNode>(entries.Count * 2);
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < entries.Count; i++)
        {
            var index = first + i;
            var hash = MerkleProof.LeafHash(Encoding.UTF8.GetBytes(entries[i].Entry));
            entryRows.Add(new LogEntry { Index = index, Entry = entries[i].Entry, LeafHash = hash, TaskId = entries[i].TaskId, CreatedAt = now });
            nodeRows.AddRange(frontier.Append(index, hash).Select(n => new LogNode { Level = n.Level, Index = n.Index, Hash = n.Hash }));
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProofDbContext>();
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        db.LogEntries.AddRange(entryRows);
        db.LogNodes.AddRange(nodeRows);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);

        _frontier = frontier;
        Interlocked.Exchange(ref _size, first + entries.Count);
        return entryRows;
    }

    /// <summary>Reads the size and the right edge (the newest node of each level that is still a left child).</summary>
    private async Task LoadAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var migrator = scope.ServiceProvider.GetRequiredService<OpenMcpChain.ServiceDefaults.Migrator<ProofDbContext>>();
        var db = scope.ServiceProvider.GetRequiredService<ProofDbContext>();
        while (!(await migrator.CheckHealthAsync(new(), ct)).Status.Equals(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy))
            await Task.Delay(200, ct);
        var size = await db.LogEntries.MaxAsync(e => (long?)e.Index, ct) + 1 ?? 0;
        var pending = new Dictionary<int, byte[]>();
        for (var level = 0; (1L << level) <= size; level++)
        {
            var complete = size >> level; // perfect nodes at this level
            if ((complete & 1) == 1)
            {
                var node = await db.LogNodes.AsNoTracking().SingleAsync(n => n.Level == level && n.Index == complete - 1, ct);
                pending[level] = node.Hash;
            }
        }
        _frontier = new MerkleFrontier(pending);
        Interlocked.Exchange(ref _size, size);
        _ready.TrySetResult();
    }
}
