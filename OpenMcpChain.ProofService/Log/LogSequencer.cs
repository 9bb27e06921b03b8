using System.Data;
using System.Diagnostics;
using OpenMcpChain.ProofService.Telemetry;
using System.Text;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using OpenMcpChain.ProofService.Infrastructure;
using OpenMcpChain.ProofService.Signing;
using OpenMcpChain.Sdk.Proofs;

namespace OpenMcpChain.ProofService.Log;

/// <summary>
/// The writer of the log in this process. Concurrent appends and outcome seals queue here and are committed in batches:
/// one transaction writes every waiting entry, the perfect-subtree nodes they complete and the attestations sealed on
/// the way, and each caller learns its result only after the commit is durable. Replicas share the log: each batch
/// locks the head row first and starts from the size it holds, so batches from every process line up with no gap. The
/// right edge of the tree (at most one node per level) is kept between batches while no other process appended.
/// </summary>
public sealed class LogSequencer(IServiceScopeFactory scopes, IAttestationProvider attester, ILogger<LogSequencer> logger) : BackgroundService
{
    public const int MaxBatch = 1000;
    private readonly Channel<Pending[]> _queue = Channel.CreateUnbounded<Pending[]>(); // a request's entries stay together
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // The right edge as of this process's last commit, and the size it belongs to (-1: not read yet).
    private MerkleFrontier _frontier = new();
    private long _frontierSize = -1;

    /// <summary>Completes once the database is migrated and the log can be appended to and read.</summary>
    public Task WaitReadyAsync(CancellationToken ct) => _ready.Task.WaitAsync(ct);

    /// <summary>Appends a canonical entry (about <paramref name="taskId"/>, if any); completes with its index and leaf hash once committed.</summary>
    public async Task<(long Index, byte[] LeafHash)> AppendAsync(string canonicalEntry, string? taskId, CancellationToken ct)
    {
        using var span = ProofTelemetry.Source.StartActivity("log append");
        var append = new Append(canonicalEntry, taskId);
        await _queue.Writer.WriteAsync([append], ct);
        var row = await append.Done.WaitAsync(ct);
        span?.SetTag("openmcpchain.log_index", row.Index);
        span?.SetTag("openmcpchain.log_batch_size", append.BatchSize);
        return (row.Index, row.LeafHash);
    }

    /// <summary>Appends entries at consecutive indexes in one commit; completes once they are durable.</summary>
    public async Task<(long Index, byte[] LeafHash)[]> AppendManyAsync(IReadOnlyList<(string Entry, string? TaskId)> entries, CancellationToken ct)
    {
        using var span = ProofTelemetry.Source.StartActivity("log append");
        span?.SetTag("openmcpchain.log_entries", entries.Count);
        var pending = entries.Select(e => new Append(e.Entry, e.TaskId)).ToArray();
        await _queue.Writer.WriteAsync(pending, ct);
        return [.. (await Task.WhenAll(pending.Select(p => p.Done)).WaitAsync(ct)).Select(row => (row.Index, row.LeafHash))];
    }

    /// <summary>
    /// Attests a task's outcome over its log entries as they stand in this batch and appends the <c>task_outcome</c>
    /// entry right after them, in the same commit. A task already attested gets its stored attestation back.
    /// </summary>
    public async Task<Attestation> SealAsync(OutcomeSeal seal, CancellationToken ct)
    {
        using var span = ProofTelemetry.Source.StartActivity("attestation");
        var sealing = new Seal(seal);
        await _queue.Writer.WriteAsync([sealing], ct);
        var attestation = await sealing.Done.WaitAsync(ct);
        span?.SetTag("openmcpchain.log_index", attestation.LogIndex);
        span?.SetTag("openmcpchain.log_batch_size", sealing.BatchSize);
        span?.SetTag("openmcpchain.signer", attestation.Signer);
        return attestation;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await WaitForMigrationsAsync(stoppingToken);
        _ready.TrySetResult();
        var batch = new List<Pending>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync(stoppingToken))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var group)) batch.AddRange(group);
            // The batch's span joins the trace of the first request it commits that is sampled (an unsampled parent would
            // drop it from every trace) and links the others' (their own traces).
            var callers = batch.Select(p => p.Caller).Where(c => c != default).Distinct().ToList();
            var parent = callers.FirstOrDefault(c => c.TraceFlags.HasFlag(ActivityTraceFlags.Recorded), callers.FirstOrDefault());
            using var span = ProofTelemetry.Source.StartActivity("log batch", ActivityKind.Internal, parentContext: parent,
                links: callers.Where(c => c != parent).Select(c => new ActivityLink(c)));
            span?.SetTag("openmcpchain.log_batch_size", batch.Count);
            ProofTelemetry.BatchSize.Record(batch.Count);
            try
            {
                await CommitAsync(batch, stoppingToken);
                span?.SetTag("openmcpchain.tree_size", _frontierSize);
                ProofTelemetry.Committed(_frontierSize, batch.Count);
                foreach (var item in batch)
                {
                    item.BatchSize = batch.Count;
                    item.Complete();
                }
                foreach (var seal in batch.OfType<Seal>().Where(s => s.Created))
                    logger.LogInformation("Attested task {TaskId} as {Signer} at log index {Index}", seal.Result!.TaskId, seal.Result.Signer, seal.Result.LogIndex);
            }
            catch (Exception e)
            {
                logger.LogError(e, "Committing {Count} log requests failed", batch.Count);
                foreach (var item in batch) item.Fail(e);
                _frontierSize = -1; // whether it committed is unknown: read the edge again
            }
        }
    }

    private async Task CommitAsync(List<Pending> batch, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProofDbContext>();
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        // Each attempt starts over from the locked head, so a retrying execution strategy may repeat it whole.
        var (size, frontier) = await db.Database.CreateExecutionStrategy().ExecuteAsync(token => CommitOnceAsync(db, batch, token), ct);
        (_frontier, _frontierSize) = (frontier, size);
    }

    private async Task<(long Size, MerkleFrontier Frontier)> CommitOnceAsync(ProofDbContext db, List<Pending> batch, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var entryRows = new List<LogEntry>(batch.Count);
        var nodeRows = new List<LogNode>(batch.Count * 2);
        var now = DateTimeOffset.UtcNow;

        // Read committed: once the head is locked, every read below sees what the previous holder committed.
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
        var first = (await db.Database.SqlQuery<long>($"SELECT Size AS Value FROM log_head WHERE Id = {LogHead.RowId} FOR UPDATE")
            .ToListAsync(ct)).Single();
        var frontier = first == _frontierSize ? _frontier.Clone() : await ReadFrontierAsync(db, first, ct);
        var tasks = await SealedTasks.LoadAsync(db, batch.OfType<Seal>().Select(s => s.Request.TaskId), ct);

        LogEntry Add(string entry, string? taskId)
        {
            var index = first + entryRows.Count;
            var hash = MerkleProof.LeafHash(Encoding.UTF8.GetBytes(entry));
            var row = new LogEntry { Index = index, Entry = entry, LeafHash = hash, TaskId = taskId, CreatedAt = now };
            entryRows.Add(row);
            nodeRows.AddRange(frontier.Append(index, hash).Select(n => new LogNode { Level = n.Level, Index = n.Index, Hash = n.Hash }));
            tasks.Appended(row);
            return row;
        }

        foreach (var item in batch)
        {
            switch (item)
            {
                case Append append:
                    append.Result = Add(append.Entry, append.TaskId);
                    break;
                case Seal seal:
                    SealOutcome(seal, tasks, db, Add, now);
                    break;
            }
        }
        db.LogEntries.AddRange(entryRows);
        db.LogNodes.AddRange(nodeRows);
        await db.SaveChangesAsync(ct);
        var size = first + entryRows.Count;
        await db.LogHeads.Where(h => h.Id == LogHead.RowId).ExecuteUpdateAsync(h => h.SetProperty(x => x.Size, size), ct);
        await transaction.CommitAsync(ct);
        return (size, frontier);
    }

    /// <summary>Signs the outcome over the task's entries so far and appends its entry next; a signing failure fails this seal only.</summary>
    private void SealOutcome(Seal seal, SealedTasks tasks, ProofDbContext db, Func<string, string?, LogEntry> add, DateTimeOffset now)
    {
        var request = seal.Request;
        if (tasks.AttestationOf(request.TaskId) is { } existing)
        {
            if (existing.LogIndex is null) // attested before sealing was one step, and its log entry never written
            {
                existing.LogIndex = add(OutcomeSeal.OutcomeEntry(existing), existing.TaskId).Index;
                db.Entry(existing).Property(a => a.LogIndex).IsModified = true;
            }
            seal.Result = existing;
            return;
        }
        Attestation attestation;
        try
        {
            var typedData = request.TypedData(tasks.StepsOf(request.TaskId), now);
            attestation = new Attestation
            {
                TaskId = request.TaskId, Signer = attester.Identity, Scheme = attester.Scheme, Message = request.Message,
                Signature = attester.Attest(typedData), TypedData = typedData, CreatedAt = now,
            };
        }
        catch (Exception e)
        {
            logger.LogError(e, "Attesting task {TaskId} failed", request.TaskId);
            seal.Fail(e);
            return;
        }
        attestation.LogIndex = add(OutcomeSeal.OutcomeEntry(attestation), attestation.TaskId).Index;
        db.Attestations.Add(attestation);
        tasks.Attested(attestation);
        (seal.Result, seal.Created) = (attestation, true);
    }

    private async Task WaitForMigrationsAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var migrator = scope.ServiceProvider.GetRequiredService<OpenMcpChain.ServiceDefaults.Migrator<ProofDbContext>>();
        while ((await migrator.CheckHealthAsync(new(), ct)).Status != Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy)
            await Task.Delay(200, ct);
    }

    /// <summary>The right edge of a tree of <paramref name="size"/> entries: the newest node of each level that is still a left child.</summary>
    private static async Task<MerkleFrontier> ReadFrontierAsync(ProofDbContext db, long size, CancellationToken ct)
    {
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
        return new MerkleFrontier(pending);
    }

    /// <summary>A queued request; completed only after its batch commits.</summary>
    private abstract class Pending
    {
        /// <summary>The span of the request that queued it, for the batch's links.</summary>
        public ActivityContext Caller { get; } = Activity.Current?.Context ?? default;
        public int BatchSize { get; set; }
        public abstract void Complete();
        public abstract void Fail(Exception e);
    }

    private abstract class Pending<T> : Pending where T : class
    {
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public T? Result { get; set; }
        public Task<T> Done => _done.Task;
        public override void Complete()
        {
            if (Result is not null) _done.TrySetResult(Result);
        }
        public override void Fail(Exception e) => _done.TrySetException(e);
    }

    private sealed class Append(string entry, string? taskId) : Pending<LogEntry>
    {
        public string Entry => entry;
        public string? TaskId => taskId;
    }

    private sealed class Seal(OutcomeSeal request) : Pending<Attestation>
    {
        public OutcomeSeal Request => request;
        public bool Created { get; set; }
    }
}
