using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Nethereum.Hex.HexConvertors.Extensions;
using OpenMcpChain.ProofService.Anchoring;
using OpenMcpChain.ProofService.Infrastructure;
using OpenMcpChain.ProofService.Log;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;
using OpenMcpChain.Sdk.Proofs;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Outcome attestations: sealing a finished task's outcome and reading its provenance.</summary>
public static class AttestationsApi
{
    public static RouteGroupBuilder MapAttestationsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/attestations").WithTags("Attestations");
        api.MapPost("/", AttestAsync).WithName("Attest").WithSummary("Seal a finished task's outcome (AgentService only)")
            .ProducesErrors(400, ErrorCodes.InvalidArgument).ProducesErrors(409, ErrorCodes.AttestationConflict);
        api.MapGet("/{taskId}", GetAsync).WithName("GetAttestation").WithSummary("A task's provenance")
            .WithDescription("The EIP-712 signed outcome (`typed_data`, `signature`, `signer`), its transparency-log entry with the RFC 9162 " +
                             "inclusion proof to the anchored tree head (the current one until anchored), and the anchor transaction or null.")
            .ResponseExample(200, ProofExamples.Provenance).ProducesErrors(404, ErrorCodes.AttestationNotFound).ReadsOnOneConnection();
        return api;
    }

    /// <summary>
    /// Signs a finished task's outcome once, over the task's log entries that precede its outcome entry (sealed in one
    /// sequenced step); attesting the same outcome again returns the first attestation.
    /// </summary>
    public static async Task<Results<Ok<Provenance>, ProblemHttpResult>> AttestAsync(
        AttestRequest request, ProofDbContext db, LogSequencer log, LogReader reader, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.TaskId) || request.TaskId.Length > 64 || request.Result is null)
        {
            return ApiErrors.Problem(400, ErrorCodes.InvalidArgument, "task_id (at most 64 characters) and result are required.");
        }
        if (request.TxHashes?.FirstOrDefault(h => !Hashes.IsHash(h)) is { } bad)
        {
            return ApiErrors.Problem(400, ErrorCodes.InvalidArgument, $"tx_hashes: '{bad}' is not a transaction hash (0x and 64 hex digits).");
        }
        var seal = OutcomeSeal.For(request.TaskId, request.Goal ?? "", request.Result, request.TxHashes ?? []);
        // The sequencer reads the task's attestation under the log's lock and answers with it when there is one already.
        var (attestation, entry) = await log.SealAsync(seal, ct);
        if (attestation.Message != seal.Message)
        {
            return ApiErrors.Problem(409, ErrorCodes.AttestationConflict, $"Task {request.TaskId} was already attested with a different outcome.");
        }
        return TypedResults.Ok(await ToProvenanceAsync(attestation, db, reader, ct, entry));
    }

    /// <summary>A task's provenance, self-contained: the attestation, the outcome's log entry with its inclusion proof to
    /// the anchored tree head (the current one until anchored) and the anchor.</summary>
    public static async Task<Results<Ok<Provenance>, ProblemHttpResult>> GetAsync(
        string taskId, ProofDbContext db, LogReader reader, CancellationToken ct)
    {
        var attestation = await db.Attestations.AsNoTracking().SingleOrDefaultAsync(a => a.TaskId == taskId, ct);
        if (attestation is null) return ApiErrors.Problem(404, ErrorCodes.AttestationNotFound, $"No attestation for task {taskId}.");
        return TypedResults.Ok(await ToProvenanceAsync(attestation, db, reader, ct));
    }

    /// <summary>
    /// The provenance of <paramref name="a"/>. <paramref name="appended"/> is its outcome entry when it was appended just
    /// now: not read again, and not anchored yet (a later read of the provenance shows the anchor).
    /// </summary>
    private static async Task<Provenance> ToProvenanceAsync(Attestation a, ProofDbContext db, LogReader reader, CancellationToken ct, LogEntry? appended = null)
    {
        ProvenanceLog? logPart = null;
        AnchorRecord? anchor = null;
        if (a.LogIndex is { } index)
        {
            anchor = appended is null ? (await db.FirstAnchorCoveringAsync(index, ct))?.ToRecord() : null;
            var size = anchor?.TreeSize ?? await reader.SizeAsync(ct);
            var entry = appended ?? await db.LogEntries.AsNoTracking().SingleAsync(e => e.Index == index, ct);
            var (path, root) = await reader.ComputeAsync(tree => (tree.InclusionPath(index, size), anchor is null ? tree.Root(size) : null), ct);
            logPart = new ProvenanceLog
            {
                Index = index,
                TreeSize = size,
                Root = anchor?.Root ?? root!.ToHex(true),
                Entry = entry.Entry,
                LeafHash = entry.LeafHash.ToHex(true),
                InclusionPath = [.. path.Select(p => p.ToHex(true))],
            };
        }
        return new Provenance
        {
            Signer = a.Signer,
            Signature = a.Signature,
            Scheme = a.Scheme,
            Message = a.Message,
            TypedData = a.TypedData is null ? null : JsonDocument.Parse(a.TypedData).RootElement.Clone(),
            Log = logPart,
            Anchor = anchor,
        };
    }
}

public sealed record AttestRequest(string? TaskId, string? Goal, JsonObject? Result, List<string>? TxHashes = null);
