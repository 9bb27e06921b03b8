using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using OpenMcpChain.ChainService.Infrastructure;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;
using OpenMcpChain.ServiceDefaults;

namespace OpenMcpChain.ChainService.Audit;

/// <summary>
/// Appends every recorded write decision (sent, denied by policy, parked for approval, deployed) and every decision on an
/// approval request (approved — once its write was sent or failed —, rejected, expired, withdrawn) to ProofService's
/// transparency log, in batches, and marks each record with its log index. At least once: a record whose append
/// committed but whose mark did not is appended again on the next pass, with the same <c>record_id</c>. Replicas take
/// turns (a database lock per pass), so two never forward the same records.
/// </summary>
public sealed class AuditLogForwarder(IServiceScopeFactory scopes, IHttpClientFactory httpClients, ILogger<AuditLogForwarder> logger)
    : PeriodicWorker(TimeSpan.FromSeconds(1), logger)
{
    public const string HttpClientName = "proof-log";
    private const int Batch = 500;

    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChainDbContext>();
        await db.RunExclusiveAsync("audit-forwarding", async () =>
        {
            await ForwardAsync(db, ct);
            await ForwardDecisionsAsync(db, ct);
            await ForwardReplacementsAsync(db, ct);
            await ForwardEventfulReceiptsAsync(db, ct);
        }, ct);
    }

    /// <summary>Decisions carry their task's id, so the task's attestation, sealed after its waiting task moves on, commits to them.</summary>
    private async Task ForwardDecisionsAsync(ChainDbContext db, CancellationToken ct)
    {
        while (await AppendAndMarkAsync(await db.Approvals.AsNoTracking()
                       .Where(a => a.DecisionLogIndex == null && a.Status != ApprovalStatuses.Pending
                                   && (a.Status != ApprovalStatuses.Approved || a.TxHash != null || a.ErrorCode != null))
                       .OrderBy(a => a.DecidedAt).Take(Batch).ToListAsync(ct), ToEntry,
                   (a, index) => db.Approvals.Where(x => x.Id == a.Id).ExecuteUpdateAsync(s => s.SetProperty(x => x.DecisionLogIndex, index), ct), ct) == Batch)
        {
        }
    }

    /// <summary>Each re-signature of a stuck write: the bytes it replaced, the new hash and fees.</summary>
    private async Task ForwardReplacementsAsync(ChainDbContext db, CancellationToken ct) =>
        await AppendAndMarkAsync(await db.Replacements.AsNoTracking().Where(r => r.LogIndex == null).OrderBy(r => r.Id).Take(Batch).ToListAsync(ct), ToEntry,
            (r, index) => db.Replacements.Where(x => x.Id == r.Id).ExecuteUpdateAsync(s => s.SetProperty(x => x.LogIndex, index), ct), ct);

    /// <summary>
    /// The final receipt of a write that was replaced or lost a block to a reorg, which the tool call's own entry (written
    /// when the call answered) may not hold.
    /// </summary>
    private async Task ForwardEventfulReceiptsAsync(ChainDbContext db, CancellationToken ct) =>
        await AppendAndMarkAsync(await db.Transactions.AsNoTracking()
                .Where(t => t.ReceiptLogIndex == null && (t.Replacements > 0 || t.Reorgs > 0)
                            && (t.Status == TransactionStatuses.Confirmed || t.Status == TransactionStatuses.Reverted))
                .OrderBy(t => t.Id).Take(Batch).ToListAsync(ct), ToEntry,
            (t, index) => db.Transactions.Where(x => x.Id == t.Id).ExecuteUpdateAsync(s => s.SetProperty(x => x.ReceiptLogIndex, index), ct), ct);

    /// <summary>Appends the rows' entries in one batch and marks each row with its log index; how many rows there were.</summary>
    private async Task<int> AppendAndMarkAsync<T>(List<T> rows, Func<T, JsonObject> toEntry, Func<T, long, Task<int>> mark, CancellationToken ct)
    {
        if (rows.Count == 0) return 0;
        var appended = await AppendAsync(rows.Select(toEntry), ct);
        for (var i = 0; i < rows.Count; i++) await mark(rows[i], appended[i].GetProperty("index").GetInt64());
        return rows.Count;
    }

    private static JsonObject ToEntry(TransactionReplacement r)
    {
        var entry = new JsonObject
        {
            ["type"] = "chain_tx_replaced",
            ["source"] = "chainservice",
            ["replacement_id"] = r.Id,
            ["nonce"] = r.Nonce,
            ["replaced_hash"] = r.ReplacedHash,
            ["tx_hash"] = r.TxHash,
            ["max_fee_per_gas"] = r.MaxFeePerGas,
            ["max_priority_fee_per_gas"] = r.MaxPriorityFeePerGas,
            ["reason"] = r.Reason,
            ["at"] = r.CreatedAt.ToUnixTimeMilliseconds(),
        };
        if (r.TaskId is not null) entry["task_id"] = r.TaskId;
        return entry;
    }

    private static JsonObject ToEntry(ChainTransaction t)
    {
        var entry = new JsonObject
        {
            ["type"] = "chain_tx_receipt",
            ["source"] = "chainservice",
            ["network"] = t.Network,
            ["idempotency_key"] = t.IdempotencyKey,
            ["nonce"] = t.Nonce,
            ["tx_hash"] = t.TxHash,
            ["status"] = t.Status,
            ["block_number"] = t.BlockNumber,
            ["gas_used"] = t.GasUsed,
            ["replacements"] = t.Replacements,
            ["reorgs"] = t.Reorgs,
            ["at"] = t.UpdatedAt.ToUnixTimeMilliseconds(),
        };
        if (t.TaskId is not null) entry["task_id"] = t.TaskId;
        return entry;
    }

    private async Task<JsonElement> AppendAsync(IEnumerable<JsonObject> entries, CancellationToken ct)
    {
        using var response = await httpClients.CreateClient(HttpClientName)
            .PostAsJsonAsync("/api/log/entries/batch", new { entries = entries.ToList() }, OpenMcpChainJson.Options, ct);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>(ct);
    }

    private async Task ForwardAsync(ChainDbContext db, CancellationToken ct)
    {
        while (true)
        {
            var records = await db.ToolCalls.AsNoTracking().Where(r => r.LogIndex == null && r.PolicyDecision != null)
                .OrderBy(r => r.Id).Take(Batch).ToListAsync(ct);
            if (records.Count == 0) return;
            // A pass that forwards is traced; an idle one opens no span (QuietWhenIdleSampler drops its bare queries).
            using var span = Telemetry.ChainTelemetry.Source.StartActivity("audit forward");
            span?.SetTag("openmcpchain.records", records.Count);
            var appended = await AppendAsync(records.Select(ToEntry), ct);
            // One statement marks the whole batch; the values are integers from our rows and ProofService's answer, not input.
            var cases = string.Concat(records.Select((r, i) => $" WHEN {r.Id} THEN {appended[i].GetProperty("index").GetInt64()}"));
            var sql = "UPDATE tool_calls SET LogIndex = CASE Id" + cases + " END WHERE Id IN (" + string.Join(",", records.Select(r => r.Id)) + ")";
            await db.Database.ExecuteSqlRawAsync(sql, ct);
            if (records.Count < Batch) return;
        }
    }

    private static JsonObject ToEntry(ApprovalRequest a)
    {
        var entry = new JsonObject
        {
            ["type"] = "approval_decision",
            ["source"] = "chainservice",
            ["approval_id"] = a.Id,
            ["decision"] = a.Status,
            ["decided_by"] = a.DecidedBy,
            ["reason"] = a.Reason,
            ["requested_by"] = a.RequestedBy,
            ["tx_hash"] = a.TxHash,
            ["error_code"] = a.ErrorCode,
            ["at"] = a.DecidedAt?.ToUnixTimeMilliseconds(),
        };
        if (a.TaskId is not null) entry["task_id"] = a.TaskId;
        return entry;
    }

    private static JsonObject ToEntry(ToolCallRecord r)
    {
        var entry = new JsonObject
        {
            ["type"] = "chain_write",
            ["source"] = "chainservice",
            ["record_id"] = r.Id,
            ["caller"] = r.Caller,
            ["tool"] = r.Tool,
            ["arguments"] = JsonNode.Parse(r.ArgumentsJson),
            ["result"] = r.ResultJson is null ? null : JsonNode.Parse(r.ResultJson),
            ["policy_decision"] = r.PolicyDecision,
            ["error_code"] = r.ErrorCode,
            ["duration_ms"] = r.DurationMs,
            ["at"] = r.CreatedAt.ToUnixTimeMilliseconds(),
        };
        if (r.TaskId is not null) entry["task_id"] = r.TaskId;
        return entry;
    }
}
