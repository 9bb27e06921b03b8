using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.JsonRpc.Client;
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
    private const int MaxEntries = ProofBundleShape.MaxEntries;

    public static IEndpointRouteBuilder MapBundlesApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/anchors", ListAnchorsAsync).WithTags("Anchors").WithName("ListAnchors").WithSummary("List anchored tree heads")
            .WithDescription("Newest first: each anchor's transaction, block, tree size and root, its status (`confirmed`, …) and the signed " +
                             "tree head it anchors. `limit` 1–500 (default 50); `before_size` pages back to heads smaller than it.")
            .WithQuery("limit", "How many anchors, 1–500 (default 50).").WithQuery("before_size", "Only tree heads smaller than this size.")
            .ResponseExample(200, new[] { ProofExamples.AnchorView }).ProducesErrors(400, ErrorCodes.InvalidArgument);
        app.MapGet("/api/anchors/contract", GetContractAsync).WithTags("Anchors").WithName("GetAnchorContract")
            .WithSummary("The anchor contract").WithDescription("Where tree heads are anchored: the network, chain id and address of the contract.")
            .ProducesErrors(404, ErrorCodes.NotFound);
        app.MapGet("/api/bundles/{taskId}", GetBundleAsync).WithTags("Bundles").WithName("GetBundle").WithSummary("A task's proof bundle")
            .WithDescription("Everything needed to check a task offline in one document: the attestation, every log entry of the task with " +
                             "its inclusion proof, the signed tree head they lead to and its anchor (null until an anchor covers them).")
            .ProducesErrors(404, ErrorCodes.AttestationNotFound).ProducesErrors(409, ErrorCodes.LogEntryNotFound).ReadsOnOneConnection();
        app.MapPost("/api/bundles/verify", VerifyAsync).WithBodyLimit(SizeLimits.BundleBodyBytes).WithTags("Bundles").WithName("VerifyBundle")
            .WithSummary("Check a proof bundle")
            .WithDescription("Runs the SDK's verifier on a bundle (as `GET /bundles/{taskId}` returns it): the signature recovered to the " +
                             "signer, every inclusion proof, the tree head's signature, and the anchor on chain when its network is configured " +
                             "here. A bundle of the right shape answers 200 with `valid` and every problem found.")
            .ResponseExample(200, new BundleVerification(true, true, true, []))
            .ProducesErrors(400, ErrorCodes.InvalidArgument).ProducesErrors(413, ErrorCodes.PayloadTooLarge)
            .ProducesErrors(422, ErrorCodes.NetworkNotConfigured).ProducesErrors(503, ErrorCodes.Unavailable);
        return app;
    }

    public sealed record AnchorView(AnchorRecord Anchor, string Status, long TreeHeadTimestamp, string TreeHeadSignature, long CreatedAt);

    private static async Task<Results<Ok<List<AnchorView>>, ProblemHttpResult>> ListAnchorsAsync(HttpRequest http, ProofDbContext db, CancellationToken ct)
    {
        if (http.Query.Read("limit", 1, 500, out var limit) is { } badLimit) return badLimit;
        if (http.Query.Read("before_size", 0, long.MaxValue, out var beforeSize) is { } badSize) return badSize;
        var anchors = await db.NewestAnchorsAsync(beforeSize, (int)(limit ?? 50), ct);
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
        // Every entry's path in one read of the stored nodes.
        var paths = await reader.ComputeAsync(tree => entries.Select(e => tree.InclusionPath(e.Index, head.TreeSize)).ToList(), ct);
        var proved = entries.Zip(paths, (entry, path) =>
            new BundleEntry(entry.Index, entry.Entry, entry.LeafHash.ToHex(true), [.. path.Select(p => p.ToHex(true))])).ToList();
        return TypedResults.Ok(new ProofBundle
        {
            TaskId = taskId, Attestation = attestation, Entries = proved, TreeHead = head,
            Anchor = anchor?.ToRecord(),
        });
    }

    /// <summary>
    /// Checks a bundle with the SDK verifier: offline, and on chain when the anchor's network is configured here. A body
    /// that is not shaped as a bundle (a member missing or null, too many entries) is a coded 400; a bundle that is
    /// shaped right answers 200 with <c>valid</c> and every problem found, however wrong its contents.
    /// </summary>
    private static async Task<Results<Ok<BundleVerification>, ProblemHttpResult>> VerifyAsync(
        ProofBundle? bundle, OutcomeSigner signer, IConfiguration configuration, ILogger<ProofBundle> logger)
    {
        if (ProofBundleShape.Problems(bundle) is { Count: > 0 } missing)
            return ApiErrors.Problem(400, ErrorCodes.InvalidArgument, "The body is not a proof bundle: " + string.Join(" ", missing));
        if (bundle!.Anchor is null) return TypedResults.Ok(ProofBundleVerifier.Verify(bundle, signer.Address));
        var rpc = configuration[$"Networks:{bundle.Anchor.Network}:RpcUrl"];
        if (string.IsNullOrEmpty(rpc))
            return ApiErrors.Problem(422, ErrorCodes.NetworkNotConfigured, $"Network '{bundle.Anchor.Network}' is not configured here; verify offline with the SDK.");
        try
        {
            return TypedResults.Ok(await ProofBundleVerifier.VerifyAsync(bundle, rpc, signer.Address));
        }
        catch (Exception e) when (e is RpcClientUnknownException or RpcClientTimeoutException or HttpRequestException)
        {
            logger.LogWarning(e, "The RPC of network {Network} did not answer a bundle check", bundle.Anchor.Network);
            return ApiErrors.Problem(503, ErrorCodes.Unavailable, $"The chain of network '{bundle.Anchor.Network}' did not answer; try again, or verify offline with the SDK.");
        }
    }
}
