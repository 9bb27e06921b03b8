using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OpenMcpChain.ChainService.Callers;
using OpenMcpChain.ChainService.Errors;
using OpenMcpChain.ChainService.Infrastructure;
using OpenMcpChain.ChainService.Policy;
using OpenMcpChain.ChainService.Writes;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace Microsoft.AspNetCore.Builder;

/// <summary>The approval inbox: parked writes, approved (then executed) or rejected by a caller allowed to approve.</summary>
public static class ApprovalsApi
{
    public static RouteGroupBuilder MapApprovalsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/approvals");
        api.MapGet("/", async (string? status, ChainDbContext db, CancellationToken ct) =>
            TypedResults.Ok((await db.Approvals.AsNoTracking()
                .Where(a => status == null || a.Status == status)
                .OrderByDescending(a => a.CreatedAt).Take(100).ToListAsync(ct)).Select(ToResponse).ToList()));
        api.MapGet("/{id}", async Task<Results<Ok<ApprovalResponse>, ProblemHttpResult>> (string id, ChainDbContext db, CancellationToken ct) =>
            await db.Approvals.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, ct) is { } approval
                ? TypedResults.Ok(ToResponse(approval))
                : NotFound(id));
        api.MapPost("/{id}/approve", ApproveAsync);
        api.MapPost("/{id}/reject", RejectAsync);
        api.MapPost("/{id}/withdraw", WithdrawAsync);
        return api;
    }

    public sealed record Decision(string? Reason);

    private static async Task<Results<Ok<WriteResult>, ProblemHttpResult>> ApproveAsync(
        string id, Decision? decision, ChainDbContext db, WriteService writes, CallerContext caller, CancellationToken ct)
    {
        if (await DecideAsync(id, ApprovalStatuses.Approved, decision?.Reason, db, caller, ct) is { } refused) return refused;
        var approval = await db.Approvals.SingleAsync(a => a.Id == id, ct);
        try
        {
            var result = await writes.ExecuteAsync(Intent(approval), approval, ct);
            await db.SaveChangesAsync(CancellationToken.None);
            return TypedResults.Ok(result);
        }
        catch (ChainToolException e)
        {
            // Approved, but the write could not be sent: the task waiting for it reads why from these columns.
            approval.ErrorCode = e.Code;
            approval.ErrorMessage = e.Error.Message;
            await db.SaveChangesAsync(CancellationToken.None);
            return e.ToProblem();
        }
    }

    private static async Task<Results<Ok<ApprovalResponse>, ProblemHttpResult>> RejectAsync(
        string id, Decision? decision, ChainDbContext db, CallerContext caller, CancellationToken ct) =>
        await DecideAsync(id, ApprovalStatuses.Rejected, decision?.Reason, db, caller, ct) is { } refused
            ? refused
            : TypedResults.Ok(ToResponse(await db.Approvals.AsNoTracking().SingleAsync(a => a.Id == id, ct)));

    /// <summary>The caller that asked for a write may withdraw it while it is still pending (its task was cancelled).</summary>
    private static async Task<Results<Ok<ApprovalResponse>, ProblemHttpResult>> WithdrawAsync(
        string id, ChainDbContext db, CallerContext caller, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        var changed = await db.Approvals.Where(a => a.Id == id && a.Status == ApprovalStatuses.Pending && a.Caller == caller.Name)
            .ExecuteUpdateAsync(s => s
                .SetProperty(a => a.Status, ApprovalStatuses.Withdrawn)
                .SetProperty(a => a.DecidedBy, caller.Name)
                .SetProperty(a => a.DecidedAt, now), ct);
        if (changed == 1) return TypedResults.Ok(ToResponse(await db.Approvals.AsNoTracking().SingleAsync(a => a.Id == id, ct)));
        return await db.Approvals.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, ct) switch
        {
            null => NotFound(id),
            { Caller: var owner } when owner != caller.Name => ApiErrors.Problem(403, "APPROVAL_NOT_YOURS", $"Only {owner} may withdraw approval request {id}."),
            _ => AlreadyDecided(id),
        };
    }

    /// <summary>pending → decided, atomically, so two approvers cannot both execute it.</summary>
    private static async Task<ProblemHttpResult?> DecideAsync(string id, string status, string? reason, ChainDbContext db, CallerContext caller, CancellationToken ct)
    {
        if (!caller.CanApprove)
            return ApiErrors.Problem(403, "APPROVER_REQUIRED", $"Caller '{caller.Name}' may not decide approval requests.");
        var now = DateTimeOffset.UtcNow;
        var changed = await db.Approvals.Where(a => a.Id == id && a.Status == ApprovalStatuses.Pending).ExecuteUpdateAsync(s => s
            .SetProperty(a => a.Status, status)
            .SetProperty(a => a.DecidedBy, caller.Name)
            .SetProperty(a => a.DecidedAt, now)
            .SetProperty(a => a.Reason, reason), ct);
        if (changed == 1) return null;
        return await db.Approvals.AnyAsync(a => a.Id == id, ct) ? AlreadyDecided(id) : NotFound(id);
    }

    private static WriteIntent Intent(ApprovalRequest approval) => JsonSerializer.Deserialize<WriteIntent>(approval.RequestJson, OpenMcpChainJson.Options)!;

    private static ApprovalResponse ToResponse(ApprovalRequest a) => new(a.Id, a.Status)
    {
        Network = a.Network, Wallet = a.Wallet, Kind = a.Kind, To = a.To, Value = a.Value, Summary = Intent(a).Summary,
        Caller = a.Caller, TaskId = a.TaskId, DecidedBy = a.DecidedBy, Reason = a.Reason, TxHash = a.TxHash,
        ErrorCode = a.ErrorCode, ErrorMessage = a.ErrorMessage, CreatedAt = a.CreatedAt, DecidedAt = a.DecidedAt,
    };

    private static ProblemHttpResult NotFound(string id) => ApiErrors.Problem(404, ChainErrorCodes.ApprovalNotFound, $"No approval request {id}.");

    private static ProblemHttpResult AlreadyDecided(string id) =>
        ApiErrors.Problem(409, ChainErrorCodes.ApprovalAlreadyDecided, $"Approval request {id} was already decided.");
}
