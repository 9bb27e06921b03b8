using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OpenMcpChain.ProofService.Infrastructure;
using OpenMcpChain.ProofService.Signing;
using OpenMcpChain.Sdk.Contracts;

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
        AttestRequest request, ProofDbContext db, OutcomeSigner signer, ILogger<AttestRequest> logger, CancellationToken ct)
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
            existing = new Attestation
            {
                TaskId = request.TaskId,
                Signer = signer.Address,
                Scheme = OutcomeSigner.Scheme,
                Message = message,
                Signature = signer.Sign(message),
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
    };
}

public sealed record AttestRequest(string? TaskId, string? Goal, JsonObject? Result);
