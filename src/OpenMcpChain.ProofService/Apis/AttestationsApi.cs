using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OpenMcpChain.ProofService.Infrastructure;
using OpenMcpChain.ProofService.Signing;
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
        AttestRequest request, ProofDbContext db, IAttestationProvider attester, ILogger<AttestRequest> logger, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.TaskId) || request.TaskId.Length > 64 || request.Result is null)
        {
            return ApiErrors.Problem(400, ErrorCodes.InvalidArgument, "task_id (at most 64 characters) and result are required.");
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
            // The step log and transactions join the typed data as the agent starts logging them; until then: empty.
            var typedData = TaskOutcomeTypedData.Build(request.TaskId, request.Goal ?? "", CanonicalJson.Serialize(request.Result),
                new byte[32], 0, [], DateTimeOffset.UtcNow.ToUnixTimeSeconds());
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
            return ApiErrors.Problem(409, "ATTESTATION_CONFLICT", $"Task {request.TaskId} was already attested with a different outcome.");
        }
        return TypedResults.Ok(ToProvenance(existing));
    }

    public static async Task<Results<Ok<Provenance>, ProblemHttpResult>> GetAsync(string taskId, ProofDbContext db, CancellationToken ct)
    {
        var attestation = await db.Attestations.AsNoTracking().SingleOrDefaultAsync(a => a.TaskId == taskId, ct);
        return attestation is null
            ? ApiErrors.Problem(404, "ATTESTATION_NOT_FOUND", $"No attestation for task {taskId}.")
            : TypedResults.Ok(ToProvenance(attestation));
    }

    private static Provenance ToProvenance(Attestation a) => new()
    {
        Signer = a.Signer,
        Signature = a.Signature,
        Scheme = a.Scheme,
        Message = a.Message,
        TypedData = a.TypedData is null ? null : System.Text.Json.JsonDocument.Parse(a.TypedData).RootElement.Clone(),
    };
}

public sealed record AttestRequest(string? TaskId, string? Goal, JsonObject? Result);
