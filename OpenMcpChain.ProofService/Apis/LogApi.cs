using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Nethereum.Hex.HexConvertors.Extensions;
using OpenMcpChain.ProofService.Infrastructure;
using OpenMcpChain.ProofService.Log;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;
using OpenMcpChain.Sdk.Proofs;

namespace Microsoft.AspNetCore.Builder;

/// <summary>The transparency log: append, read, signed tree heads, inclusion and consistency proofs (RFC 9162).</summary>
public static class LogApi
{
    public static RouteGroupBuilder MapLogApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/log").WithTags("Transparency log");
        api.MapPost("/entries", AppendAsync).WithName("AppendLogEntry").WithSummary("Append an entry (services only)")
            .ProducesErrors(400, ErrorCodes.InvalidArgument);
        api.MapPost("/entries/batch", AppendBatchAsync).WithName("AppendLogEntries").WithSummary("Append entries (services only)")
            .ProducesErrors(400, ErrorCodes.InvalidArgument);
        api.MapGet("/entries/{index:long}", GetEntryAsync).WithName("GetLogEntry").WithSummary("Read a log entry")
            .WithDescription("The entry's canonical JSON and its leaf hash, SHA-256(0x00 ‖ entry).")
            .ResponseExample(200, ProofExamples.Entry).ProducesErrors(404, ErrorCodes.LogEntryNotFound);
        api.MapGet("/entries", ListTaskEntriesAsync).WithName("ListTaskLogEntries").WithSummary("List a task's log entries")
            .WithDescription("The entries filed under `task_id` (its steps and outcome), oldest first; `limit` 1–1000 (default 100).")
            .WithQuery("limit", "How many entries, 1–1000 (default 100).")
            .ResponseExample(200, new[] { ProofExamples.Entry }).ProducesErrors(400, ErrorCodes.InvalidArgument);
        api.MapGet("/tree-head", GetTreeHeadAsync).WithName("GetTreeHead").WithSummary("The current signed tree head")
            .WithDescription("The log's size and RFC 9162 root, with the signer's EIP-191 signature over canonical JSON of size, root and time.")
            .ResponseExample(200, ProofExamples.TreeHead);
        api.MapGet("/proofs/inclusion", GetInclusionAsync).WithName("GetInclusionProof").WithSummary("Prove an entry is in the log")
            .WithDescription("The audit path from entry `index` to the root of the tree of size `tree_size` (default: the current size).")
            .WithQuery("index", "The entry's index (from 0).").WithQuery("tree_size", "The tree size to prove against (default: the current one).")
            .ResponseExample(200, ProofExamples.Inclusion).ProducesErrors(400, ErrorCodes.LogIndexOutOfRange, ErrorCodes.InvalidArgument)
            .ReadsOnOneConnection();
        api.MapGet("/proofs/consistency", GetConsistencyAsync).WithName("GetConsistencyProof").WithSummary("Prove the log only grew")
            .WithDescription("The RFC 9162 consistency proof from the tree of size `first` to the one of size `second` (default: current).")
            .WithQuery("first", "The earlier tree size (at least 1).").WithQuery("second", "The later tree size (default: the current one).")
            .ProducesErrors(400, ErrorCodes.LogIndexOutOfRange, ErrorCodes.InvalidArgument).ReadsOnOneConnection();
        api.MapGet("/verify", VerifyAsync).WithName("VerifyLog").WithSummary("Recompute the whole log (operators only)")
            .ProducesErrors(400, ErrorCodes.InvalidArgument);
        return api;
    }

    public sealed record AppendResponse(long Index, string LeafHash);
    public sealed record EntryResponse(long Index, string Entry, string LeafHash, long CreatedAt);
    public sealed record InclusionResponse(long Index, long TreeSize, string LeafHash, string Root, List<string> Path);
    public sealed record ConsistencyResponse(long First, long Second, string FirstRoot, string SecondRoot, List<string> Proof);

    /// <summary>Appends a JSON object (stored as canonical JSON); answers once the entry is durably committed.</summary>
    public static async Task<Results<Created<AppendResponse>, ProblemHttpResult>> AppendAsync(
        JsonObject? entry, LogSequencer sequencer, CancellationToken ct)
    {
        if (Validate(entry) is { } problem) return problem;
        var (index, leaf) = await sequencer.AppendAsync(CanonicalJson.Serialize(entry), TaskIdOf(entry), ct);
        return TypedResults.Created($"/api/log/entries/{index}", new AppendResponse(index, leaf.ToHex(true)));
    }

    public sealed record BatchRequest(List<JsonObject?>? Entries);

    /// <summary>Appends up to 1000 entries in order (consecutive indexes, one commit); answers once all are durable.</summary>
    public static async Task<Results<Ok<List<AppendResponse>>, ProblemHttpResult>> AppendBatchAsync(
        BatchRequest? request, LogSequencer sequencer, CancellationToken ct)
    {
        if (request?.Entries is not { Count: > 0 and <= LogSequencer.MaxBatch } entries)
            return ApiErrors.Problem(400, ErrorCodes.InvalidArgument, $"entries must hold 1 to {LogSequencer.MaxBatch} JSON objects.");
        foreach (var entry in entries)
            if (Validate(entry) is { } problem) return problem;
        var appended = await sequencer.AppendManyAsync([.. entries.Select(e => (CanonicalJson.Serialize(e), TaskIdOf(e!)))], ct);
        return TypedResults.Ok(appended.Select(a => new AppendResponse(a.Index, a.LeafHash.ToHex(true))).ToList());
    }

    private static ProblemHttpResult? Validate(JsonObject? entry)
    {
        if (entry is null || entry.Count == 0)
            return ApiErrors.Problem(400, ErrorCodes.InvalidArgument, "Each entry must be a non-empty JSON object.");
        if (entry["task_id"] is { } task && (task.GetValueKind() != System.Text.Json.JsonValueKind.String
                                              || task.GetValue<string>() is not { Length: > 0 and <= 64 }))
            return ApiErrors.Problem(400, ErrorCodes.InvalidArgument, "task_id, when given, must be a string of 1 to 64 characters.");
        return null;
    }

    private static string? TaskIdOf(JsonObject? entry) => entry?["task_id"]?.GetValue<string>();

    public static async Task<Results<Ok<EntryResponse>, ProblemHttpResult>> GetEntryAsync(long index, ProofDbContext db, CancellationToken ct) =>
        await db.LogEntries.AsNoTracking().SingleOrDefaultAsync(e => e.Index == index, ct) is { } e
            ? TypedResults.Ok(new EntryResponse(e.Index, e.Entry, e.LeafHash.ToHex(true), e.CreatedAt.ToUnixTimeSeconds()))
            : ApiErrors.Problem(404, ErrorCodes.LogEntryNotFound, $"The log has no entry {index}.");

    /// <summary>The entries filed under a task (<c>?task_id=</c>), oldest first.</summary>
    public static async Task<Results<Ok<List<EntryResponse>>, ProblemHttpResult>> ListTaskEntriesAsync(
        [FromQuery(Name = "task_id")] string? taskId, HttpRequest http, ProofDbContext db, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(taskId) || taskId.Length > 64)
            return ApiErrors.Problem(400, ErrorCodes.InvalidArgument, "task_id (1 to 64 characters) is required.");
        if (http.Query.Read("limit", 1, 1000, out var limit) is { } badLimit) return badLimit;
        var entries = await db.LogEntries.AsNoTracking().Where(e => e.TaskId == taskId).OrderBy(e => e.Index).Take((int)(limit ?? 100)).ToListAsync(ct);
        return TypedResults.Ok(entries.Select(e => new EntryResponse(e.Index, e.Entry, e.LeafHash.ToHex(true), e.CreatedAt.ToUnixTimeSeconds())).ToList());
    }

    /// <summary>
    /// Recomputes the log from its entries and names the first bad index. With <c>tree_size</c> and <c>root</c> (a tree
    /// head the caller trusts) the entries must also still lead to that root.
    /// </summary>
    public static async Task<Results<Ok<VerifyReport>, ProblemHttpResult>> VerifyAsync(
        HttpRequest http, string? root, LogVerifier verifier, CancellationToken ct)
    {
        if (http.Query.Read("tree_size", 1, long.MaxValue, out var treeSize) is { } badSize) return badSize;
        if (treeSize is null && root is null) return TypedResults.Ok(await verifier.VerifyAsync(null, ct));
        if (treeSize is not > 0 || !Hashes.IsHash(root))
            return ApiErrors.Problem(400, ErrorCodes.InvalidArgument, "tree_size (at least 1) and root (0x and 64 hex digits) go together.");
        return TypedResults.Ok(await verifier.VerifyAsync(new TrustedTreeHead(treeSize.Value, root.HexToByteArray()), ct));
    }

    /// <summary>The current tree head, signed by the ProofService key over canonical JSON of size, root and time.</summary>
    public static async Task<Ok<SignedTreeHead>> GetTreeHeadAsync(LogReader reader, TreeHeads heads, CancellationToken ct) =>
        TypedResults.Ok(await heads.SignAsync(await reader.SizeAsync(ct), ct));

    public static async Task<Results<Ok<InclusionResponse>, ProblemHttpResult>> GetInclusionAsync(
        HttpRequest http, LogReader reader, ProofDbContext db, CancellationToken ct)
    {
        if (http.Query.Read("index", long.MinValue, long.MaxValue, out var index) is { } badIndex) return badIndex;
        if (http.Query.Read("tree_size", long.MinValue, long.MaxValue, out var treeSize) is { } badSize) return badSize;
        var current = await reader.SizeAsync(ct);
        var size = treeSize ?? current;
        if (index is not { } m || m < 0 || size < 1 || m >= size || size > current)
            return ApiErrors.Problem(400, ErrorCodes.LogIndexOutOfRange, $"Need 0 ≤ index < tree_size ≤ {current}.");
        var leaf = await db.LogEntries.AsNoTracking().Where(e => e.Index == m).Select(e => e.LeafHash).SingleAsync(ct);
        var (path, root) = await reader.ComputeAsync(tree => (tree.InclusionPath(m, size), tree.Root(size)), ct);
        return TypedResults.Ok(new InclusionResponse(m, size, leaf.ToHex(true), root.ToHex(true), [.. path.Select(p => p.ToHex(true))]));
    }

    public static async Task<Results<Ok<ConsistencyResponse>, ProblemHttpResult>> GetConsistencyAsync(
        HttpRequest http, LogReader reader, CancellationToken ct)
    {
        if (http.Query.Read("first", long.MinValue, long.MaxValue, out var first) is { } badFirst) return badFirst;
        if (http.Query.Read("second", long.MinValue, long.MaxValue, out var second) is { } badSecond) return badSecond;
        var current = await reader.SizeAsync(ct);
        var to = second ?? current;
        if (first is not { } from || from < 1 || from > to || to > current)
            return ApiErrors.Problem(400, ErrorCodes.LogIndexOutOfRange, $"Need 1 ≤ first ≤ second ≤ {current}.");
        var (proof, firstRoot, secondRoot) = await reader.ComputeAsync(tree => (tree.ConsistencyProof(from, to), tree.Root(from), tree.Root(to)), ct);
        return TypedResults.Ok(new ConsistencyResponse(from, to, firstRoot.ToHex(true), secondRoot.ToHex(true), [.. proof.Select(p => p.ToHex(true))]));
    }
}
