using System.Data;
using System.Diagnostics;
using System.Text;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using MySqlConnector;
using OpenMcpChain.ProofService.Infrastructure;
using OpenMcpChain.ProofService.Telemetry;
using OpenMcpChain.ProofService.Signing;
using OpenMcpChain.Sdk.Proofs;

namespace OpenMcpChain.ProofService.Log;

/// <summary>
/// The writer of the log in this process. Concurrent appends and outcome seals queue here and are committed in batches:
/// one transaction writes every waiting entry, the perfect-subtree nodes they complete and the attestations sealed on
/// the way, and each caller learns its result only after the commit is durable. Replicas share the log: each batch
/// locks the head row and starts from the size it holds, so batches from every process line up with no gap. The right
/// edge of the tree (at most one node per level) is kept between batches, so a batch of appends is one round trip that
/// locks the head, inserts every row and moves the head, and then its commit; while that commit is on its way to disk
/// the next batch is already written behind it (its head lock waits for the commit) and commits once it succeeded.
/// </summary>
public sealed class LogSequencer(IServiceScopeFactory scopes, IAttestationProvider attester, ILogger<LogSequencer> logger) : BackgroundService
{
    public const int MaxBatch = 1000;
    private readonly Channel<Pending[]> _queue = Channel.CreateUnbounded<Pending[]>(); // a request's entries stay together
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    /// <summary>Batches written and not yet committed at once: each next one waits on the head row for the one before.</summary>
    private const int MaxInFlight = 4;
    private readonly SemaphoreSlim _inFlight = new(MaxInFlight);
    // The right edge as of this process's last written batch (Size -1: not known, read it under the head's lock).
    private volatile Edge _edge = Edge.Unknown;

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
    /// <returns>The attestation, and the outcome's log entry when this call appended it (null when it was logged before).</returns>
    public async Task<(Attestation Attestation, LogEntry? Entry)> SealAsync(OutcomeSeal seal, CancellationToken ct)
    {
        using var span = ProofTelemetry.Source.StartActivity("attestation");
        var sealing = new Seal(seal);
        await _queue.Writer.WriteAsync([sealing], ct);
        var attestation = await sealing.Done.WaitAsync(ct);
        span?.SetTag("openmcpchain.log_index", attestation.LogIndex);
        span?.SetTag("openmcpchain.log_batch_size", sealing.BatchSize);
        span?.SetTag("openmcpchain.signer", attestation.Signer);
        return (attestation, sealing.Entry);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await WaitForMigrationsAsync(stoppingToken);
        _ready.TrySetResult();
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                await _inFlight.WaitAsync(stoppingToken);
                var batch = new List<Pending>();
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var group)) batch.AddRange(group);
                var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _ = RunBatchAsync(batch, _edge, written, stoppingToken);
                // The next batch starts from this one's end: wait until its rows are written (its commit may still be on
                // its way to disk; the next batch's lock on the head row waits for that commit).
                await written.Task;
            }
        }
        finally
        {
            for (var i = 0; i < MaxInFlight; i++) await _inFlight.WaitAsync(CancellationToken.None); // let commits in flight finish
        }
    }

    /// <summary>Writes and commits one batch, then answers its callers; signals <paramref name="written"/> once the next batch may start.</summary>
    private async Task RunBatchAsync(List<Pending> batch, Edge edge, TaskCompletionSource written, CancellationToken ct)
    {
        try
        {
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
                var size = await CommitAsync(batch, edge, written, ct);
                span?.SetTag("openmcpchain.tree_size", size);
                ProofTelemetry.Committed(size, batch.Count);
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
                _edge = Edge.Unknown; // whether it committed is unknown: the next batch reads the edge again
            }
        }
        finally
        {
            written.TrySetResult();
            _inFlight.Release();
        }
    }

    private async Task<long> CommitAsync(List<Pending> batch, Edge edge, TaskCompletionSource written, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProofDbContext>();
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        var attempt = 0;
        // Each attempt starts over; a retry (the execution strategy's, after a lost connection) starts from the locked head.
        return await db.Database.CreateExecutionStrategy().ExecuteAsync(async token =>
        {
            db.ChangeTracker.Clear();
            var now = DateTimeOffset.UtcNow;
            if (attempt++ == 0 && edge.Size >= 0 && !batch.OfType<Seal>().Any()
                && await TryCommitFromEdgeAsync(db, batch, edge, written, now, token) is { } size)
                return size;
            return await CommitLockedAsync(db, batch, edge, written, now, token);
        }, ct);
    }

    /// <summary>
    /// Appends only, from the edge this process's last batch left: locks the head, inserts and moves the head in one round
    /// trip, and commits once that batch's own commit succeeded. If it did not, or another process appended meanwhile (the
    /// head says so, or an index collides), the rows are undone (null).
    /// </summary>
    private async Task<long?> TryCommitFromEdgeAsync(ProofDbContext db, List<Pending> batch, Edge edge, TaskCompletionSource written,
        DateTimeOffset now, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
        var frontier = edge.Frontier.Clone();
        var rows = Build(batch, edge.Size, frontier, SealedTasks.None, db, now);
        try
        {
            if (await rows.WriteAsync(db, lockHead: true, now, ct) == edge.Size && await edge.Committed)
                return await PublishAndCommitAsync(transaction, rows.Size, frontier, written, ct);
        }
        catch (MySqlException e) when (e.ErrorCode == MySqlErrorCode.DuplicateKeyEntry)
        {
        }
        await transaction.RollbackAsync(ct);
        return null;
    }

    /// <summary>Locks the head first, then reads what the batch needs (the edge if another process moved it, the sealed tasks) and writes.</summary>
    private async Task<long> CommitLockedAsync(ProofDbContext db, List<Pending> batch, Edge edge, TaskCompletionSource written,
        DateTimeOffset now, CancellationToken ct)
    {
        // Read committed: once the head is locked, every read below sees what the previous holder committed.
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
        var first = (await db.Database.SqlQuery<long>($"SELECT Size AS Value FROM log_head WHERE Id = {LogHead.RowId} FOR UPDATE")
            .ToListAsync(ct)).Single();
        // The edge this process left serves only if the batch that left it committed (with the head locked, that is decided).
        var frontier = first == edge.Size && await edge.Committed ? edge.Frontier.Clone() : await ReadFrontierAsync(db, first, ct);
        var tasks = await SealedTasks.LoadAsync(db, batch.OfType<Seal>().Select(s => s.Request.TaskId), ct);
        var rows = Build(batch, first, frontier, tasks, db, now);
        await rows.WriteAsync(db, lockHead: false, now, ct);
        db.Database.AutoSavepointsEnabled = false; // a failure undoes the whole batch: a savepoint would be two statements more
        await db.SaveChangesAsync(ct); // the attestations sealed in this batch (their entries are written above)
        return await PublishAndCommitAsync(transaction, rows.Size, frontier, written, ct);
    }

    /// <summary>
    /// Lets the next batch build on these rows, then commits: the next batch is written while this commit is flushed, and
    /// commits only after it. Callers are answered only after this returns, so an answer still means durable.
    /// </summary>
    private async Task<long> PublishAndCommitAsync(IDbContextTransaction transaction, long size, MerkleFrontier frontier, TaskCompletionSource written,
        CancellationToken ct)
    {
        var committed = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        _edge = new Edge(size, frontier, committed.Task);
        written.TrySetResult();
        try
        {
            await transaction.CommitAsync(ct);
            committed.SetResult(true);
        }
        catch
        {
            committed.SetResult(false);
            throw;
        }
        return size;
    }

    /// <summary>Lays the batch out from <paramref name="first"/>: entries, the nodes they complete, and the seals' attestations.</summary>
    private LogRows Build(List<Pending> batch, long first, MerkleFrontier frontier, SealedTasks tasks, ProofDbContext db, DateTimeOffset now)
    {
        var rows = new LogRows(first);
        LogEntry Add(string entry, string? taskId)
        {
            var index = rows.Size;
            var hash = MerkleProof.LeafHash(Encoding.UTF8.GetBytes(entry));
            var row = new LogEntry { Index = index, Entry = entry, LeafHash = hash, TaskId = taskId, CreatedAt = now };
            rows.Entries.Add(row);
            rows.Nodes.AddRange(frontier.Append(index, hash));
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
        return rows;
    }

    /// <summary>Signs the outcome over the task's entries so far and appends its entry next; a signing failure fails this seal only.</summary>
    private void SealOutcome(Seal seal, SealedTasks tasks, ProofDbContext db, Func<string, string?, LogEntry> add, DateTimeOffset now)
    {
        var request = seal.Request;
        seal.Entry = null; // a retried batch starts over: only this attempt's entry is the one committed
        if (tasks.AttestationOf(request.TaskId) is { } existing)
        {
            if (existing.LogIndex is null) // attested before sealing was one step, and its log entry never written
            {
                seal.Entry = add(OutcomeSeal.OutcomeEntry(existing), existing.TaskId);
                existing.LogIndex = seal.Entry.Index;
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
        seal.Entry = add(OutcomeSeal.OutcomeEntry(attestation), attestation.TaskId);
        attestation.LogIndex = seal.Entry.Index;
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
        var keys = new List<(int Level, long Index)>();
        for (var level = 0; (1L << level) <= size; level++)
        {
            var complete = size >> level; // perfect nodes at this level
            if ((complete & 1) == 1) keys.Add((level, complete - 1));
        }
        var nodes = await LogReader.ReadNodesAsync(db, keys, ct);
        return new MerkleFrontier(keys.ToDictionary(k => k.Level, k => nodes.TryGetValue(k, out var hash)
            ? hash
            : throw new InvalidOperationException($"Log node ({k.Level}, {k.Index}) is missing: the log is damaged.")));
    }

    /// <summary>The tree's size and right edge (at most one node per level) after a batch, and whether that batch committed.</summary>
    private sealed record Edge(long Size, MerkleFrontier Frontier, Task<bool> Committed)
    {
        public static readonly Edge Unknown = new(-1, new MerkleFrontier(), Task.FromResult(false));
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
        /// <summary>The outcome's log entry, when this batch appended it.</summary>
        public LogEntry? Entry { get; set; }
    }
}
