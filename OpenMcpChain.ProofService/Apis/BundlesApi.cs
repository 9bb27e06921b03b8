using Nethereum.Hex.HexConvertors.Extensions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using OpenMcpChain.ProofService.Anchoring;
using OpenMcpChain.ProofService.Infrastructure;
using OpenMcpChain.ProofService.Log;
using OpenMcpChain.ProofService.Signing;
using OpenMcpChain.Sdk.Contracts;
using OpenMcpChain.Sdk.Proofs;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Anchors and proof bundles: what a task's outcome, its log entries and the chain together prove.</summary>
public static class BundlesApi
{
    private const int MaxEntries = 1000;

    public static IEndpointRouteBuilder MapBundlesApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/anchors", ListAnchorsAsync);
        app.MapGet("/api/anchors/contract", GetContractAsync);
        app.MapGet("/api/bundles/{taskId}", GetBundleAsync);
        app.MapPost("/api/bundles/verify", VerifyAsync);
        return app;
    }

    public sealed record AnchorView(AnchorRecord Anchor, string Status, long TreeHeadTimestamp, string TreeHeadSignature, long CreatedAt);

    private static async Task<Results<Ok<List<AnchorView>>, ProblemHttpResult>> ListAnchorsAsync(int? limit, [FromQuery(Name = "before_size")] long? beforeSize, ProofDbContext db, CancellationToken ct)
    {
        if (limit is < 1 or > 500) return ApiErrors.Problem(400, ErrorCodes.InvalidArgument, "limit must be between 1 and 500.");
        var anchors = await db.NewestAnchorsAsync(beforeSize, limit ?? 50, ct);
        return TypedResults.Ok(anchors.Select(a => new AnchorView(a.ToRecord(), a.Status, a.TreeHeadTimestamp, a.TreeHeadSignature,
            a.CreatedAt.ToUnixTimeSeconds())).ToList());
    }

    private static async Task<Results<Ok<AnchorContract>, ProblemHttpResult>> GetContractAsync(ProofDbContext db, CancellationToken ct) =>
        await db.LatestAnchorContractAsync(ct) is { } contract
            ? TypedResults.Ok(contract)
            : ApiErrors.Problem(404, ErrorCodes.NotFound, "No anchor contract is deployed yet (is Anchoring:Enabled set?).");

    /// <summary>
    /// The task's attestation, its log entries with inclusion proofs to the first anchored tree head that covers them,
    /// and that anchor. Until such an anchor is confirmed the proofs lead to a freshly signed tree head and anchor is null.
    /// </summary>
    private static async Task<Results<Ok<ProofBundle>, ProblemHttpResult>> GetBundleAsync(
        string taskId, ProofDbContext db, LogReader reader, TreeHeads heads, CancellationToken ct)
    {
        var provenance = await AttestationsApi.GetAsync(taskId, db, reader, ct);
        if (provenance.Result is not Ok<Provenance> { Value: { } attestation }) return (ProblemHttpResult)provenance.Result;
        var entries = await db.LogEntries.AsNoTracking().Where(e => e.TaskId == taskId).OrderBy(e => e.Index).Take(MaxEntries).ToListAsync(ct);
        if (entries.Count == 0) return ApiErrors.Problem(409, ErrorCodes.LogEntryNotFound, $"Task {taskId} has no log entries yet.");

        var last = entries[^1].Index;
        var anchor = await db.FirstAnchorCoveringAsync(last, ct);
        var head = anchor is not null ? await db.SignedTreeHeadAsync(anchor, ct) : await heads.SignAsync(await reader.SizeAsync(ct), ct);
        var proved = new List<BundleEntry>(entries.Count);
        foreach (var entry in entries)
        {
            var path = await reader.InclusionPathAsync(entry.Index, head.TreeSize, ct);
            proved.Add(new BundleEntry(entry.Index, entry.Entry, entry.LeafHash.ToHex(true), [.. path.Select(p => p.ToHex(true))]));
        }
        return TypedResults.Ok(new ProofBundle
        {
            TaskId = taskId, Attestation = attestation, Entries = proved, TreeHead = head,
            Anchor = anchor?.ToRecord(),
        });
    }

    /// <summary>Checks a bundle with the SDK verifier: offline, and on chain when the anchor's network is configured here.</summary>
    private static async Task<Results<Ok<BundleVerification>, ProblemHttpResult>> VerifyAsync(
        ProofBundle? bundle, OutcomeSigner signer, IConfiguration configuration)
    {
        if (bundle?.Attestation is null || bundle.Entries is null || bundle.TreeHead is null)
            return ApiErrors.Problem(400, ErrorCodes.InvalidArgument, "The body must be a proof bundle (task_id, attestation, entries, tree_head, anchor).");
        if (bundle.Anchor is null) return TypedResults.Ok(ProofBundleVerifier.Verify(bundle, signer.Address));
        var rpc = configuration[$"Networks:{bundle.Anchor.Network}:RpcUrl"];
        if (string.IsNullOrEmpty(rpc))
            return ApiErrors.Problem(422, ErrorCodes.NetworkNotConfigured, $"Network '{bundle.Anchor.Network}' is not configured here; verify offline with the SDK.");
        return TypedResults.Ok(await ProofBundleVerifier.VerifyAsync(bundle, rpc, signer.Address));
    }
}
