using Nethereum.Hex.HexConvertors.Extensions;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OpenMcpChain.ProofService.Anchoring;
using OpenMcpChain.ProofService.Infrastructure;
using OpenMcpChain.ProofService.Log;
using OpenMcpChain.ProofService.Signing;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;
using OpenMcpChain.Sdk.Proofs;

namespace Microsoft.AspNetCore.Builder;

public static class AttestationsApi
{
    public static RouteGroupBuilder MapAttestationsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/attestations");
        api.MapPost("/", AttestAsync);
        api.MapGet("/{taskId}", GetAsync);
        return api;
    }

    /// <summary>Signs a finished task's outcome once; attesting the same outcome again returns the first attestation.</summary>
    public static async Task<Results<Ok<Provenance>, ProblemHttpResult>> AttestAsync(
        AttestRequest request, ProofDbContext db, IAttestationProvider attester, LogSequencer log, LogReader reader, ILogger<AttestRequest> logger, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.TaskId) || request.TaskId.Length > 64 || request.Result is null)
        {
            return ApiErrors.Problem(400, ErrorCodes.InvalidArgument, "task_id (at most 64 characters) and result are required.");
        }
        if (request.TxHashes?.FirstOrDefault(h => h is not { Length: 66 } || !h.StartsWith("0x", StringComparison.Ordinal) || !h[2..].All(char.IsAsciiHexDigit)) is { } bad)
        {
            return ApiErrors.Problem(400, ErrorCodes.InvalidArgument, $"tx_hashes: '{bad}' is not a transaction hash (0x and 64 hex digits).");
        }
        var message = CanonicalJson.Serialize(new JsonObject
        {
            ["task_id"] = request.TaskId,
            ["goal"] = request.Goal ?? "",
            ["result"] = request.Result.DeepClone(),
        });

        var existing = await db.Attestations.AsNoTracking().SingleOrDefaultAsync(a => a.TaskId == request.TaskId, ct);
        if (existing is null)
        {
            // The step log is what the log holds for this task so far (its steps and the chain's write decisions).
            var steps = await db.LogEntries.AsNoTracking().Where(e => e.TaskId == request.TaskId).OrderBy(e => e.Index)
                .Select(e => new { e.LeafHash, e.Entry }).ToListAsync(ct);
            var txHashes = (request.TxHashes ?? []).Concat(steps.Select(s => SentTxHash(s.Entry)).OfType<string>())
                .Select(h => h.ToLowerInvariant()).Distinct().ToList();
            var typedData = TaskOutcomeTypedData.Build(request.TaskId, request.Goal ?? "", CanonicalJson.Serialize(request.Result),
                MerkleProof.RootOf([.. steps.Select(s => s.LeafHash)]), steps.Count, txHashes, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            existing = new Attestation
            {
                TaskId = request.TaskId,
                Signer = attester.Identity,
                Scheme = attester.Scheme,
                Message = message,
                Signature = attester.Attest(typedData),
                TypedData = typedData,
                CreatedAt = DateTimeOffset.UtcNow,
            };
            db.Attestations.Add(existing);
            try
            {
                await db.SaveChangesAsync(ct);
                logger.LogInformation("Attested task {TaskId} as {Signer}", request.TaskId, existing.Signer);
            }
            catch (DbUpdateException)
            {
                // A concurrent request attested this task first: answer with what was stored.
                db.ChangeTracker.Clear();
                existing = await db.Attestations.AsNoTracking().SingleAsync(a => a.TaskId == request.TaskId, ct);
            }
        }
        if (existing.Message != message)
        {
            return ApiErrors.Problem(409, ErrorCodes.AttestationConflict, $"Task {request.TaskId} was already attested with a different outcome.");
        }
        if (existing.LogIndex is null)
        {
            // Recorded in the transparency log after the attestation commits; a repeat of this request finishes a crashed append.
            var (index, _) = await log.AppendAsync(CanonicalJson.Serialize(new JsonObject
            {
                ["type"] = "task_outcome",
                ["task_id"] = existing.TaskId,
                ["signer"] = existing.Signer,
                ["scheme"] = existing.Scheme,
                ["signature"] = existing.Signature,
                ["attested_at"] = existing.CreatedAt.ToUnixTimeSeconds(),
            }), existing.TaskId, ct);
            await db.Attestations.Where(a => a.Id == existing.Id && a.LogIndex == null)
                .ExecuteUpdateAsync(a => a.SetProperty(x => x.LogIndex, index), ct);
            existing.LogIndex = index;
        }
        return TypedResults.Ok(await ToProvenanceAsync(existing, db, reader, log, ct));
    }

    /// <summary>A task's provenance, self-contained: the attestation, the outcome's log entry with its inclusion proof to
    /// the anchored tree head (the current one until anchored) and the anchor.</summary>
    public static async Task<Results<Ok<Provenance>, ProblemHttpResult>> GetAsync(
        string taskId, ProofDbContext db, LogReader reader, LogSequencer log, CancellationToken ct)
    {
        var attestation = await db.Attestations.AsNoTracking().SingleOrDefaultAsync(a => a.TaskId == taskId, ct);
        if (attestation is null) return ApiErrors.Problem(404, ErrorCodes.AttestationNotFound, $"No attestation for task {taskId}.");
        return TypedResults.Ok(await ToProvenanceAsync(attestation, db, reader, log, ct));
    }

    /// <summary>The hash of a transaction ChainService sent, from one of its <c>chain_write</c> log entries.</summary>
    private static string? SentTxHash(string entry) =>
        JsonNode.Parse(entry) is JsonObject e && e["type"]?.GetValue<string>() == "chain_write" && e["result"] is JsonObject r
        && r["tx_hash"] is JsonValue hash && hash.TryGetValue<string>(out var text) ? text : null;

    private static async Task<Provenance> ToProvenanceAsync(Attestation a, ProofDbContext db, LogReader reader, LogSequencer log, CancellationToken ct)
    {
        ProvenanceLog? logPart = null;
        AnchorRecord? anchor = null;
        if (a.LogIndex is { } index)
        {
            anchor = (await db.FirstAnchorCoveringAsync(index, ct))?.ToRecord();
            var size = anchor?.TreeSize ?? log.Size;
            var entry = await db.LogEntries.AsNoTracking().SingleAsync(e => e.Index == index, ct);
            logPart = new ProvenanceLog
            {
                Index = index,
                TreeSize = size,
                Root = anchor?.Root ?? (await reader.RootAsync(size, ct)).ToHex(true),
                Entry = entry.Entry,
                LeafHash = entry.LeafHash.ToHex(true),
                InclusionPath = [.. (await reader.InclusionPathAsync(index, size, ct)).Select(p => p.ToHex(true))],
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
