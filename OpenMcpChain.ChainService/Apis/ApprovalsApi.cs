using System.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using OpenMcpChain.ChainService.Apis;
using OpenMcpChain.ChainService.Approvals;
using OpenMcpChain.ChainService.Callers;
using OpenMcpChain.ChainService.Errors;
using OpenMcpChain.ChainService.Infrastructure;
using OpenMcpChain.ChainService.Writes;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// The approval inbox: parked writes, approved (then executed) or rejected by a caller allowed to approve. The Gateway
/// forwards it as <c>/api/v1/approvals</c> (reading needs <c>tasks:read</c>, deciding <c>approvals:decide</c>) and names
/// the signed-in person, who is recorded as the decider.
/// </summary>
public static class ApprovalsApi
{
    private const int MaxReasonLength = 2000;
    /// <summary>Why a request can no longer be decided (<see cref="NotPending"/>).</summary>
    private static readonly string[] NotPendingCodes =
        [ChainErrorCodes.ApprovalAlreadyDecided, ChainErrorCodes.ApprovalWithdrawn, ChainErrorCodes.ApprovalExpired];
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    public static RouteGroupBuilder MapApprovalsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/approvals").WithTags("Approvals");
        api.MapGet("/", ListAsync).WithName("ListApprovals")
            .WithSummary("List approval requests")
            .WithDescription("Approval requests, newest first, filtered by `status` (repeatable or comma-separated: pending, approved, rejected, withdrawn, expired), `task_id`, `requested_by` and `caller`, and paged with `limit` (1–100, default 20; more is capped) and `offset`, as the task list is.")
            .WithQuery("status", $"Only these statuses, repeated or comma-separated: {string.Join(", ", ApprovalStatuses.All)}.", JsonSchemaType.String)
            .WithQuery("task_id", "Only the requests of this task.", JsonSchemaType.String)
            .WithQuery("requested_by", "Only the requests made for this person (the task's submitter).", JsonSchemaType.String)
            .WithQuery("caller", "Only the requests of this service caller (`agentservice`, `gateway:alice`, …).", JsonSchemaType.String)
            .WithQuery("limit", "How many, 1–100 (default 20; more is capped at 100).")
            .WithQuery("offset", "How many to skip (default 0); `next_offset` gives the next page's.")
            .ResponseExample(200, ApprovalExamples.List)
            .ProducesErrors(400, ErrorCodes.InvalidLimit, ErrorCodes.InvalidOffset, ErrorCodes.InvalidStatus, ErrorCodes.InvalidArgument);
        api.MapGet("/events", StreamEventsAsync).WithName("ApprovalEvents")
            .WithSummary("Follow the approval inbox live")
            .WithDescription("Server-sent events, `event: approval`, data an ApprovalEvent: `created` when a write is parked, `decided` when a request is approved, rejected, expired or withdrawn. Each event has an `id:`; reconnect with `Last-Event-ID` to resume after it. Without it the stream starts with the next event. Comment lines keep idle connections open.")
            .Produces(200, contentType: "text/event-stream")
            .ProducesErrors(400, ErrorCodes.InvalidArgument);
        api.MapGet("/{id}", GetAsync).WithName("GetApproval")
            .WithSummary("Get one approval request")
            .WithDescription("What a person must judge — network, chain id, wallet and address, recipient, value in ether and wei, the ERC-20 token and amount, the decoded method and arguments, the simulation, the task and its goal, who asked, when it expires — and, once decided, who decided, why, and the decision's transparency-log index.")
            .ResponseExample(200, ApprovalExamples.Pending).ProducesErrors(404, ChainErrorCodes.ApprovalNotFound);
        api.MapPost("/{id}/approve", ApproveAsync).WithName("ApproveApproval")
            .WithSummary("Approve a parked write, which is then sent")
            .WithDescription("Approves the request (body `{\"reason\": \"…\"}` optional) and sends the write; answers the transaction. A request is decided once: approving twice answers 409 APPROVAL_ALREADY_DECIDED, a withdrawn one APPROVAL_WITHDRAWN, an expired one APPROVAL_EXPIRED, and one's own request SELF_APPROVAL_FORBIDDEN unless `Approvals:AllowSelfApproval` is set. An approved write that can no longer be sent answers its own error code, which the request keeps.")
            .RequestExample(ApprovalExamples.Decision)
            .ProducesErrors(400, ChainErrorCodes.InvalidArgument, ChainErrorCodes.InsufficientFunds, ChainErrorCodes.ExecutionReverted)
            .ProducesErrors(403, ChainErrorCodes.ApproverRequired, ChainErrorCodes.PolicyBudgetExceeded)
            .ProducesErrors(404, ChainErrorCodes.ApprovalNotFound)
            .ProducesErrors(409, [.. NotPendingCodes, ChainErrorCodes.SelfApprovalForbidden, ChainErrorCodes.NonceConflict]);
        api.MapPost("/{id}/reject", RejectAsync).WithName("RejectApproval")
            .WithSummary("Reject a parked write; nothing is sent")
            .WithDescription("Rejects the request (body `{\"reason\": \"…\"}`, the reason its task reports). Answers 409 APPROVAL_ALREADY_DECIDED, APPROVAL_WITHDRAWN or APPROVAL_EXPIRED when it is no longer pending.")
            .RequestExample(ApprovalExamples.Decision).ResponseExample(200, ApprovalExamples.Rejected)
            .ProducesErrors(400, ChainErrorCodes.InvalidArgument).ProducesErrors(403, ChainErrorCodes.ApproverRequired)
            .ProducesErrors(404, ChainErrorCodes.ApprovalNotFound).ProducesErrors(409, NotPendingCodes);
        api.MapPost("/{id}/withdraw", WithdrawAsync).WithName("WithdrawApproval")
            .WithSummary("Withdraw one's own pending request (internal)")
            .WithDescription("The caller that asked for the write withdraws it while it is pending, e.g. because its task was cancelled. Not forwarded by the Gateway.")
            .ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        return api;
    }

    /// <summary>What the deciding handlers need.</summary>
    public sealed record ApprovalServices(ChainDbContext Db, CallerContext Caller, ApprovalEvents Events, IOptions<ApprovalOptions> Options);

    private static async Task<Results<Ok<ApprovalListResponse>, ProblemHttpResult>> ListAsync(HttpRequest http, ChainDbContext db, CancellationToken ct)
    {
        var (query, error) = ApprovalQuery.Parse(http.Query);
        if (query is null) return ApiErrors.Problem(400, error!.Code, error.Message);
        var filtered = db.Approvals.AsNoTracking()
            .Where(a => query.Statuses.Count == 0 || query.Statuses.Contains(a.Status))
            .Where(a => query.TaskId == null || a.TaskId == query.TaskId)
            .Where(a => query.RequestedBy == null || a.RequestedBy == query.RequestedBy)
            .Where(a => query.Caller == null || a.Caller == query.Caller);
        var total = await filtered.CountAsync(ct);
        var page = await filtered.OrderByDescending(a => a.CreatedAt).ThenByDescending(a => a.Id)
            .Skip(query.Offset).Take(query.Limit).ToListAsync(ct);
        var hasMore = query.Offset + page.Count < total;
        return TypedResults.Ok(new ApprovalListResponse([.. page.Select(a => a.ToResponse())], total, hasMore,
            hasMore ? query.Offset + page.Count : null));
    }

    private static async Task<Results<Ok<ApprovalResponse>, ProblemHttpResult>> GetAsync(string id, ChainDbContext db, CancellationToken ct) =>
        await db.Approvals.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, ct) is { } approval
            ? TypedResults.Ok(approval.ToResponse())
            : NotFound(id);

    private static async Task<Results<Ok<WriteResult>, ProblemHttpResult>> ApproveAsync(
        string id, ApprovalDecisionRequest? decision, [AsParameters] ApprovalServices services, WriteService writes, CancellationToken ct)
    {
        var (approval, refused) = await DecideAsync(id, ApprovalStatuses.Approved, decision?.Reason, services, ct);
        if (approval is null) return refused!;
        var db = services.Db;
        db.Approvals.Attach(approval); // as decided: what the send adds (tx hash, or the error) is saved below
        try
        {
            var result = await writes.ExecuteAsync(approval.Intent(), approval, ct);
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
        string id, ApprovalDecisionRequest? decision, [AsParameters] ApprovalServices services, CancellationToken ct) =>
        await DecideAsync(id, ApprovalStatuses.Rejected, decision?.Reason, services, ct) switch
        {
            ({ } approval, _) => TypedResults.Ok(approval.ToResponse()),
            (_, var refused) => refused!,
        };

    /// <summary>The caller that asked for a write may withdraw it while it is still pending (its task was cancelled).</summary>
    private static async Task<Results<Ok<ApprovalResponse>, ProblemHttpResult>> WithdrawAsync(
        string id, ChainDbContext db, CallerContext caller, ApprovalEvents events, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        var changed = await db.Approvals.Where(a => a.Id == id && a.Status == ApprovalStatuses.Pending && a.Caller == caller.Name)
            .ExecuteUpdateAsync(s => s
                .SetProperty(a => a.Status, ApprovalStatuses.Withdrawn)
                .SetProperty(a => a.DecidedBy, caller.Name)
                .SetProperty(a => a.DecidedAt, now), ct);
        var approval = await db.Approvals.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, ct);
        if (changed == 1)
        {
            await events.PublishAsync(ApprovalEvent.Decided, approval!);
            return TypedResults.Ok(approval!.ToResponse());
        }
        return approval switch
        {
            null => NotFound(id),
            { Caller: var owner } when owner != caller.Name => ApiErrors.Problem(403, "APPROVAL_NOT_YOURS", $"Only {owner} may withdraw approval request {id}."),
            _ => NotPending(approval, now) ?? AlreadyDecided(id),
        };
    }

    /// <summary>
    /// pending → decided, atomically, so two approvers cannot both execute it; a request past its expiry is not decided
    /// even before the expiry worker has marked it. The decider is the signed-in person the Gateway names. Answers the
    /// request as decided (untracked), or why it was not.
    /// </summary>
    private static async Task<(ApprovalRequest? Decided, ProblemHttpResult? Refused)> DecideAsync(
        string id, string status, string? reason, ApprovalServices services, CancellationToken ct)
    {
        var (db, caller) = (services.Db, services.Caller);
        if (!caller.CanApprove)
            return (null, ApiErrors.Problem(403, ChainErrorCodes.ApproverRequired, $"Caller '{caller.Name}' may not decide approval requests."));
        if (reason is { Length: > MaxReasonLength })
            return (null, ApiErrors.Problem(400, ChainErrorCodes.InvalidArgument, $"reason is longer than {MaxReasonLength} characters."));
        var now = DateTimeOffset.UtcNow;
        var approval = await db.Approvals.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, ct);
        if (approval is null) return (null, NotFound(id));
        if (NotPending(approval, now) is { } closed) return (null, closed);
        if (status == ApprovalStatuses.Approved && !services.Options.Value.AllowSelfApproval && IsOwn(approval, caller))
            return (null, ApiErrors.Problem(409, ChainErrorCodes.SelfApprovalForbidden,
                $"Approval request {id} was made for {caller.Decider}; another person must approve it."));
        var changed = await db.Approvals
            .Where(a => a.Id == id && a.Status == ApprovalStatuses.Pending && (a.ExpiresAt == null || a.ExpiresAt > now))
            .ExecuteUpdateAsync(s => s
                .SetProperty(a => a.Status, status)
                .SetProperty(a => a.DecidedBy, caller.Decider)
                .SetProperty(a => a.DecidedAt, now)
                .SetProperty(a => a.Reason, reason), ct);
        if (changed == 0)
        {
            // Someone else decided (or it expired) between the read and the update: say what happened instead.
            approval = await db.Approvals.AsNoTracking().SingleAsync(a => a.Id == id, ct);
            return (null, NotPending(approval, now) ?? AlreadyDecided(id));
        }
        // The row now holds exactly what the update wrote; no need to read it back.
        (approval.Status, approval.DecidedBy, approval.DecidedAt, approval.Reason) = (status, caller.Decider, now, reason);
        OpenMcpChain.ChainService.Telemetry.ChainTelemetry.Decided(status, approval.CreatedAt, now);
        await services.Events.PublishAsync(ApprovalEvent.Decided, approval);
        return (approval, null);
    }

    /// <summary>
    /// The person behind the decision asked for the write: the relayed user is the requester, or a direct caller made the
    /// write itself. (A direct caller's name is a service's, never compared with a person's.)
    /// </summary>
    private static bool IsOwn(ApprovalRequest approval, CallerContext caller) => caller.RelayedUser is { } user
        ? string.Equals(user, approval.RequestedBy, StringComparison.OrdinalIgnoreCase)
        : string.Equals(caller.Name, approval.Caller, StringComparison.Ordinal);

    /// <summary>Why a request can no longer be decided; null while it is pending and not yet due.</summary>
    private static ProblemHttpResult? NotPending(ApprovalRequest approval, DateTimeOffset now) => approval.Status switch
    {
        ApprovalStatuses.Pending when approval.ExpiresAt <= now => Expired(approval),
        ApprovalStatuses.Expired => Expired(approval),
        ApprovalStatuses.Withdrawn => ApiErrors.Problem(409, ChainErrorCodes.ApprovalWithdrawn,
            $"Approval request {approval.Id} was withdrawn by {approval.DecidedBy}; its task no longer waits for it."),
        ApprovalStatuses.Pending => null,
        _ => AlreadyDecided(approval.Id),
    };

    /// <summary>
    /// <c>event: approval</c> for each change after <c>Last-Event-ID</c> (or from now), until the client goes or the service
    /// stops; a comment line when idle, so proxies keep the connection.
    /// </summary>
    private static async Task StreamEventsAsync(HttpContext http, ApprovalEvents events, IHostApplicationLifetime lifetime, CancellationToken aborted)
    {
        var resume = http.Request.Headers["Last-Event-ID"].ToString();
        if (resume.Length > 0 && !ApprovalEvents.IsEventId(resume))
        {
            await ApiErrors.Problem(400, ChainErrorCodes.InvalidArgument, "Last-Event-ID must be an id this stream sent (such as 1764201600000-0).").ExecuteAsync(http);
            return;
        }
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(aborted, lifetime.ApplicationStopping);
        var ct = stop.Token;
        var last = resume.Length > 0 ? resume : await events.LatestIdAsync();
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        try
        {
            // Sent at once: from here on the client misses nothing.
            await http.Response.WriteAsync(": connected\n\n", ct);
            await http.Response.Body.FlushAsync(ct);
            var quiet = Stopwatch.StartNew();
            while (!ct.IsCancellationRequested)
            {
                var batch = await events.ReadAsync(last);
                foreach (var (eventId, json) in batch)
                {
                    await http.Response.WriteAsync($"id: {eventId}\nevent: approval\ndata: {json}\n\n", ct);
                    last = eventId;
                }
                if (batch.Count == 0 && quiet.Elapsed >= Heartbeat) await http.Response.WriteAsync(": keep-alive\n\n", ct);
                if (batch.Count > 0 || quiet.Elapsed >= Heartbeat)
                {
                    await http.Response.Body.FlushAsync(ct);
                    quiet.Restart();
                }
                if (batch.Count == 0) await Task.Delay(250, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private static ProblemHttpResult Expired(ApprovalRequest approval) => ApiErrors.Problem(409, ChainErrorCodes.ApprovalExpired,
        $"Approval request {approval.Id} expired undecided at {approval.ExpiresAt:u}.");

    private static ProblemHttpResult NotFound(string id) => ApiErrors.Problem(404, ChainErrorCodes.ApprovalNotFound, $"No approval request {id}.");

    private static ProblemHttpResult AlreadyDecided(string id) =>
        ApiErrors.Problem(409, ChainErrorCodes.ApprovalAlreadyDecided, $"Approval request {id} was already decided.");
}
