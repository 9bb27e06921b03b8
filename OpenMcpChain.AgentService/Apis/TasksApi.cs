using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Nethereum.Util;
using OpenMcpChain.AgentService.Agent;
using OpenMcpChain.AgentService.Apis;
using OpenMcpChain.AgentService.Infrastructure;
using OpenMcpChain.AgentService.Progress;
using OpenMcpChain.AgentService.Queue;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace Microsoft.AspNetCore.Builder;

/// <summary>The v1 task API, wire-compatible with the original daemon (the Gateway forwards it here).</summary>
public static class TasksApi
{
    private const int MaxGoalLength = 4000;

    public static RouteGroupBuilder MapTasksApiV1(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/tasks").WithTags("Tasks");
        api.MapPost("/", CreateTaskAsync).WithBodyLimit(SizeLimits.TaskBodyBytes).WithName("CreateTask")
            .WithSummary("Submit a task")
            .WithDescription("Stores the task (`pending`) and queues it for an agent; answers 202 at once. Poll `GET /api/v1/tasks/{id}` " +
                             "or follow `/events`. An `Idempotency-Key` header makes a retry return the first task instead of a second one.")
            .RequestExample(TaskExamples.Create).ResponseExample(202, TaskExamples.Pending)
            .ProducesErrors(400, ErrorCodes.TaskValidationFailed, ErrorCodes.InvalidArgument, ErrorCodes.ProfileNotFound, ChainErrorCodes.UnknownNetwork)
            .ProducesErrors(409, ChainErrorCodes.IdempotencyKeyReused).ProducesErrors(413, ErrorCodes.PayloadTooLarge);
        api.MapGet("/", ListTasksAsync).WithName("ListTasks")
            .WithSummary("List tasks")
            .WithDescription("Newest first by update time (`order=asc` for oldest first), filtered by `status` (repeatable or comma-separated), " +
                             "`since`/`until` (RFC 3339), `has_result` and `q` (text in the id, goal, address, error or result); `limit` 1–100 " +
                             "(default 20) and `offset` page through them. `?id=` reads one task, as the original daemon allowed.")
            .WithTaskFilters(paging: true).ResponseExample(200, TaskExamples.List)
            .ProducesErrors(400, ErrorCodes.InvalidLimit, ErrorCodes.InvalidOffset, ErrorCodes.InvalidStatus, ErrorCodes.InvalidSince,
                ErrorCodes.InvalidUntil, ErrorCodes.InvalidHasResult, ErrorCodes.InvalidOrder)
            .ProducesErrors(404, ErrorCodes.TaskNotFound);
        api.MapGet("/stats", GetStatsAsync).WithName("GetTaskStats")
            .WithSummary("Count tasks by status")
            .WithDescription("The totals per status and the oldest and newest update times, over the same filters as the list (without paging).")
            .WithTaskFilters(paging: false).ResponseExample(200, TaskExamples.Stats)
            .ProducesErrors(400, ErrorCodes.InvalidStatus, ErrorCodes.InvalidSince, ErrorCodes.InvalidUntil, ErrorCodes.InvalidHasResult);
        api.MapGet("/{id}", GetTaskAsync).WithName("GetTask")
            .WithSummary("Read a task and its result")
            .WithDescription("A finished task carries `result` (thought, reply, chain_id, block_number, observations, tool_calls, usage) and " +
                             "`result.provenance`: the signed outcome, its log entry with an inclusion proof, and the anchor once there is one.")
            .ResponseExample(200, TaskExamples.Succeeded).ProducesErrors(404, ErrorCodes.TaskNotFound);
        api.MapPost("/{id}/cancel", CancelAsync).WithName("CancelTask")
            .WithSummary("Cancel a task")
            .WithDescription("A pending task or one awaiting approval ends `cancelled` at once (200; a parked write is withdrawn first); a " +
                             "running one stops at its next step boundary (202, still `running`).")
            .ProducesErrors(404, ErrorCodes.TaskNotFound).ProducesErrors(409, ErrorCodes.TaskAlreadyFinished, ChainErrorCodes.ApprovalAlreadyDecided)
            .ProducesErrors(503, ErrorCodes.Unavailable);
        api.MapGet("/{id}/steps", GetStepsAsync).WithName("GetTaskSteps")
            .WithSummary("List a task's steps")
            .WithDescription("Every model turn and tool call of every attempt, oldest first, with tokens, duration, the policy decision of a " +
                             "write and the index of the step's entry in the transparency log.")
            .ResponseExample(200, TaskExamples.Steps).ProducesErrors(404, ErrorCodes.TaskNotFound);
        api.MapGet("/{id}/events", GetEventsAsync).WithName("GetTaskEvents")
            .WithSummary("Follow a task's progress")
            .WithDescription("With `Accept: text/event-stream`: server-sent events (`status` and `step`) as they happen, resumable with " +
                             "`Last-Event-ID`, ending when the task ends. Otherwise the stored status changes as JSON.")
            .Produces<List<TaskEventResponse>>(200).Produces(200, contentType: "text/event-stream")
            .ResponseExample(200, TaskExamples.Events).ProducesErrors(404, ErrorCodes.TaskNotFound);
        return api;
    }

    public static async Task<Results<Accepted<TaskResponse>, ProblemHttpResult>> CreateTaskAsync(
        CreateTaskRequest? request,
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        [FromHeader(Name = "X-Caller")] string? caller,
        [AsParameters] TaskServices services,
        CancellationToken ct)
    {
        if (Validate(request, idempotencyKey) is { } error)
        {
            return ApiErrors.Problem(400, error.Code, error.Message);
        }
        var network = request!.Network?.Trim() is { Length: > 0 } n ? n : null;
        if (network is not null && !services.Networks.Value.Knows(network))
        {
            return ApiErrors.Problem(400, ChainErrorCodes.UnknownNetwork,
                $"Unknown network '{network}'. Networks here: {string.Join(", ", services.Networks.Value.Networks)}.");
        }
        var db = services.Db;
        var profile = request.Profile?.Trim() is { Length: > 0 } p ? p : null;
        if (profile is not null && !await db.Profiles.AnyAsync(x => x.Name == profile, ct))
        {
            return ApiErrors.Problem(400, ErrorCodes.ProfileNotFound, $"There is no agent profile '{profile}'.");
        }
        if (idempotencyKey is not null
            && await db.Tasks.AsNoTracking().SingleOrDefaultAsync(t => t.IdempotencyKey == idempotencyKey, ct) is { } earlier)
        {
            return earlier.Goal == request!.Goal!.Trim()
                ? TypedResults.Accepted($"/api/v1/tasks/{earlier.Id}", ToResponse(earlier))
                : ApiErrors.Problem(409, "IDEMPOTENCY_KEY_REUSED", "This Idempotency-Key was used for a different task.");
        }

        var now = DateTimeOffset.UtcNow;
        var task = new AgentTask
        {
            Id = Guid.CreateVersion7().ToString(),
            Goal = request!.Goal!.Trim(),
            ChainAction = request.ChainAction?.Trim() ?? "",
            Address = request.Address?.Trim() ?? "",
            MetadataJson = JsonSerializer.Serialize(request.Metadata ?? [], OpenMcpChainJson.Options),
            Network = network,
            SessionId = request.SessionId?.Trim() is { Length: > 0 } s ? s : null,
            IdempotencyKey = idempotencyKey,
            Status = TaskStatuses.Pending,
            MaxRetries = services.Options.Value.MaxRetries,
            Profile = profile,
            SubmittedBy = caller is { Length: > 0 and <= 64 } ? caller : null,
            // The submitting request's trace: the worker's run continues it (W3C traceparent).
            TraceParent = System.Diagnostics.Activity.Current is { IdFormat: System.Diagnostics.ActivityIdFormat.W3C } current ? current.Id : null,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Tasks.Add(task);
        db.TaskEvents.Add(new TaskEvent { TaskId = task.Id, Status = TaskStatuses.Pending, Detail = "accepted", At = now });
        await db.SaveChangesAsync(ct);

        // Only after the row commits; if Redis is unreachable now, the sweeper enqueues the task later.
        if (await services.Queue.TryEnqueueAsync(task.Id))
        {
            task.EnqueuedAt = DateTimeOffset.UtcNow;
            await db.SaveChangesAsync(CancellationToken.None);
        }
        services.Logger.LogInformation("Task {TaskId} accepted", task.Id);
        return TypedResults.Accepted($"/api/v1/tasks/{task.Id}", ToResponse(task));
    }

    /// <summary>
    /// One task. A succeeded task whose outcome is not anchored yet gets its provenance fresh from ProofService (the
    /// inclusion proof to the latest tree head, and the anchor once there is one); once anchored it is stored as final.
    /// </summary>
    public static async Task<Results<Ok<TaskResponse>, ProblemHttpResult>> GetTaskAsync(string id, AgentDbContext db, ProofClient proofs, CancellationToken ct)
    {
        var task = await db.Tasks.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, ct);
        if (task is null) return ApiErrors.Problem(404, ErrorCodes.TaskNotFound, $"Task '{id}' does not exist.");
        var response = ToResponse(task);
        if (response.Result is { Provenance: { Anchor: null } } result && await proofs.GetProvenanceAsync(id, ct) is { } fresh)
        {
            response = response with { Result = result with { Provenance = fresh } };
            if (fresh.Anchor is not null)
            {
                var json = TaskResults.Serialize(response.Result);
                await db.Tasks.Where(t => t.Id == id).ExecuteUpdateAsync(s => s.SetProperty(t => t.ResultJson, json), ct);
            }
        }
        return TypedResults.Ok(response);
    }

    /// <summary>Lists tasks; <c>?id=</c> reads one task, as the original daemon allowed.</summary>
    public static async Task<Results<Ok<TaskListResponse>, Ok<TaskResponse>, ProblemHttpResult>> ListTasksAsync(
        HttpRequest http, AgentDbContext db, ProofClient proofs, CancellationToken ct)
    {
        if (http.Query.TryGetValue("id", out var id) && !string.IsNullOrWhiteSpace(id))
        {
            var one = await GetTaskAsync(id.ToString(), db, proofs, ct);
            return one.Result is Ok<TaskResponse> ok ? ok : (ProblemHttpResult)one.Result;
        }
        var (query, error) = TaskQuery.Parse(http.Query);
        if (query is null)
        {
            return ApiErrors.Problem(400, error!.Code, error.Message);
        }
        var filtered = Filter(db.Tasks.AsNoTracking(), query);
        var total = await filtered.CountAsync(ct);
        var ordered = query.Ascending
            ? filtered.OrderBy(t => t.UpdatedAt).ThenBy(t => t.Id)
            : filtered.OrderByDescending(t => t.UpdatedAt).ThenByDescending(t => t.Id);
        var page = await ordered.Skip(query.Offset).Take(query.Limit).ToListAsync(ct);
        var hasMore = query.Offset + page.Count < total;
        return TypedResults.Ok(new TaskListResponse(
            [.. page.Select(ToResponse)], total, hasMore, hasMore ? query.Offset + page.Count : null));
    }

    /// <summary>
    /// Cancels a task: a pending or parked one at once; a running one at its next step boundary (202, still running);
    /// a finished one cannot be (409).
    /// </summary>
    public static async Task<Results<Ok<TaskResponse>, Accepted<TaskResponse>, ProblemHttpResult>> CancelAsync(
        string id, AgentDbContext db, TaskTransitions transitions, IHttpClientFactory httpClients, CancellationToken ct)
    {
        // A parked write is withdrawn first, so no later approval can send it for a cancelled task.
        if (await db.Tasks.AsNoTracking().Where(t => t.Id == id && t.Status == TaskStatuses.AwaitingApproval).Select(t => t.ApprovalId)
                .SingleOrDefaultAsync(ct) is { } approvalId)
        {
            using var withdrawn = await httpClients.CreateClient(ApprovalWatcher.HttpClientName).PostAsync($"/api/approvals/{approvalId}/withdraw", null, ct);
            if (withdrawn.StatusCode == System.Net.HttpStatusCode.Conflict)
                return ApiErrors.Problem(409, "APPROVAL_ALREADY_DECIDED", $"Approval request {approvalId} was already decided; the task resumes or ends by itself.");
            if (!withdrawn.IsSuccessStatusCode && withdrawn.StatusCode != System.Net.HttpStatusCode.NotFound)
                return ApiErrors.Problem(503, ErrorCodes.Unavailable, "ChainService did not withdraw the parked write; try again.");
        }
        if (await transitions.MoveAsync(id, [TaskStatuses.Pending, TaskStatuses.AwaitingApproval], TaskStatuses.Cancelled, "cancelled by the caller",
                s => s.SetProperty(t => t.CancelRequested, true).SetProperty(t => t.ErrorCode, ErrorCodes.TaskCancelled)
                    .SetProperty(t => t.ErrorMessage, "The task was cancelled.")))
            return TypedResults.Ok(ToResponse(await db.Tasks.AsNoTracking().SingleAsync(t => t.Id == id, ct)));
        if (await db.Tasks.Where(t => t.Id == id && t.Status == TaskStatuses.Running)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.CancelRequested, true), ct) == 1)
            return TypedResults.Accepted($"/api/v1/tasks/{id}", ToResponse(await db.Tasks.AsNoTracking().SingleAsync(t => t.Id == id, ct)));
        return await db.Tasks.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, ct) is { } task
            ? ApiErrors.Problem(409, ErrorCodes.TaskAlreadyFinished, $"Task '{id}' already ended {task.Status}.")
            : ApiErrors.Problem(404, ErrorCodes.TaskNotFound, $"Task '{id}' does not exist.");
    }

    /// <summary>The recorded steps of a task (model turns and tool calls, every attempt), oldest first.</summary>
    public static async Task<Results<Ok<List<TaskStepResponse>>, ProblemHttpResult>> GetStepsAsync(string id, AgentDbContext db, CancellationToken ct)
    {
        if (!await db.Tasks.AnyAsync(t => t.Id == id, ct)) return ApiErrors.Problem(404, ErrorCodes.TaskNotFound, $"Task '{id}' does not exist.");
        var steps = await db.TaskSteps.AsNoTracking().Where(s => s.TaskId == id).OrderBy(s => s.Attempt).ThenBy(s => s.Seq).ToListAsync(ct);
        return TypedResults.Ok(steps.Select(s => new TaskStepResponse(s.Attempt, s.Seq, s.Kind, s.Name,
            s.ArgumentsJson is null ? null : JsonDocument.Parse(s.ArgumentsJson).RootElement.Clone(), s.Output, s.IsError, s.ErrorCode,
            s.PolicyDecision, s.DurationMs, s.TokensIn, s.TokensOut, s.LogIndex, s.CreatedAt.ToUnixTimeSeconds(), s.CallId, s.Content)).ToList());
    }

    /// <summary>
    /// The task's state changes. With <c>Accept: text/event-stream</c>: live progress as server-sent events (each status
    /// change and step, resumable with <c>Last-Event-ID</c>) until the task ends; otherwise the stored transitions as JSON.
    /// </summary>
    public static async Task GetEventsAsync(string id, HttpContext http, AgentDbContext db, TaskProgress progress, CancellationToken ct)
    {
        if (!await db.Tasks.AnyAsync(t => t.Id == id, ct))
        {
            await ApiErrors.Problem(404, ErrorCodes.TaskNotFound, $"Task '{id}' does not exist.").ExecuteAsync(http);
            return;
        }
        if (!http.Request.Headers.Accept.ToString().Contains("text/event-stream", StringComparison.OrdinalIgnoreCase))
        {
            var events = await db.TaskEvents.AsNoTracking().Where(e => e.TaskId == id).OrderBy(e => e.Id).ToListAsync(ct);
            await TypedResults.Ok(events.Select(e => new TaskEventResponse(e.Status, e.Detail, e.At.ToUnixTimeMilliseconds())).ToList()).ExecuteAsync(http);
            return;
        }
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        var last = http.Request.Headers["Last-Event-ID"].ToString() is { Length: > 0 } resume ? resume : "0-0";
        while (!ct.IsCancellationRequested)
        {
            var next = await progress.NextEventAsync(id);
            try
            {
                var batch = await progress.ReadAsync(id, last);
                foreach (var (eventId, json) in batch)
                {
                    using var doc = JsonDocument.Parse(json);
                    var type = doc.RootElement.GetProperty("type").GetString();
                    await http.Response.WriteAsync($"id: {eventId}\nevent: {type}\ndata: {json}\n\n", ct);
                    last = eventId;
                    if (type == "status" && TaskStatuses.IsFinal(doc.RootElement.GetProperty("status").GetString()!))
                    {
                        await http.Response.Body.FlushAsync(ct);
                        return;
                    }
                }
                await http.Response.Body.FlushAsync(ct);
                if (batch.Count == 0)
                {
                    // Ended before this stream began (or its progress expired): say so once and stop. Only a stream that has
                    // shown nothing yet asks; one that has is ended by the final status event itself.
                    if (last == "0-0" && await db.Tasks.AsNoTracking().Where(t => t.Id == id).Select(t => t.Status).SingleAsync(ct) is var status
                        && TaskStatuses.IsFinal(status))
                    {
                        await http.Response.WriteAsync($"event: status\ndata: {JsonSerializer.Serialize(new { type = "status", status }, OpenMcpChainJson.Options)}\n\n", ct);
                        return;
                    }
                    // Woken by the next event; the timeout only bounds a wake-up lost while Redis reconnected.
                    await next.WaitAsync(TimeSpan.FromSeconds(1), ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
            }
            finally
            {
                progress.Forget(id, next);
            }
        }
    }

    public static async Task<Results<Ok<TaskStatsResponse>, ProblemHttpResult>> GetStatsAsync(
        HttpRequest http, AgentDbContext db, CancellationToken ct)
    {
        var (query, error) = TaskQuery.Parse(http.Query);
        if (query is null)
        {
            return ApiErrors.Problem(400, error!.Code, error.Message);
        }
        var rows = await Filter(db.Tasks.AsNoTracking(), query)
            .GroupBy(t => t.Status)
            .Select(g => new { Status = g.Key, Count = g.Count(), Oldest = g.Min(t => t.UpdatedAt), Newest = g.Max(t => t.UpdatedAt) })
            .ToListAsync(ct);
        int Count(string status) => rows.Where(r => r.Status == status).Sum(r => r.Count);
        return TypedResults.Ok(new TaskStatsResponse(
            rows.Sum(r => r.Count),
            Count(TaskStatuses.Pending), Count(TaskStatuses.Running), Count(TaskStatuses.Succeeded), Count(TaskStatuses.Failed),
            rows.Count == 0 ? 0 : rows.Min(r => r.Oldest).ToUnixTimeSeconds(),
            rows.Count == 0 ? 0 : rows.Max(r => r.Newest).ToUnixTimeSeconds())
        {
            AwaitingApproval = Count(TaskStatuses.AwaitingApproval),
            Rejected = Count(TaskStatuses.Rejected),
            Cancelled = Count(TaskStatuses.Cancelled),
        });
    }

    private static IQueryable<AgentTask> Filter(IQueryable<AgentTask> tasks, TaskQuery query)
    {
        if (query.Statuses.Count > 0) tasks = tasks.Where(t => query.Statuses.Contains(t.Status));
        if (query.Since is { } since) tasks = tasks.Where(t => t.UpdatedAt >= since);
        if (query.Until is { } until) tasks = tasks.Where(t => t.UpdatedAt <= until);
        if (query.HasResult is { } hasResult) tasks = tasks.Where(t => (t.ResultJson != null) == hasResult);
        // As the original daemon: the id, goal, chain action, address, error and result are searched.
        if (query.Text is { } text)
            tasks = tasks.Where(t => t.Id.Contains(text) || t.Goal.Contains(text) || t.ChainAction.Contains(text) || t.Address.Contains(text)
                                     || (t.ErrorMessage != null && t.ErrorMessage.Contains(text)) || (t.ResultJson != null && t.ResultJson.Contains(text)));
        return tasks;
    }

    private static ApiError? Validate(CreateTaskRequest? request, string? idempotencyKey)
    {
        if (request is null) return new(ErrorCodes.InvalidArgument, "The request body must be a JSON object with a goal.");
        // The original daemon's code for a task without a goal.
        if (string.IsNullOrWhiteSpace(request.Goal)) return new(ErrorCodes.TaskValidationFailed, "goal is required and must not be empty.");
        return Invalid(request, idempotencyKey) is { } message ? new(ErrorCodes.InvalidArgument, message) : null;
    }

    private static string? Invalid(CreateTaskRequest request, string? idempotencyKey)
    {
        if (request.Goal!.Length > MaxGoalLength) return $"goal must be at most {MaxGoalLength} characters.";
        if (request.ChainAction?.Length > 64) return "chain_action must be at most 64 characters.";
        if (!string.IsNullOrWhiteSpace(request.Address) && !AddressUtil.Current.IsValidEthereumAddressHexFormat(request.Address.Trim()))
            return "address must be 0x followed by 40 hex digits.";
        if (request.Network?.Length > 64) return "network must be at most 64 characters.";
        if (request.SessionId?.Length > 64) return "session_id must be at most 64 characters.";
        if (request.Profile?.Length > 64) return "profile must be at most 64 characters.";
        if (idempotencyKey is not null && (idempotencyKey.Length is 0 or > 128)) return "Idempotency-Key must be 1 to 128 characters.";
        return null;
    }

    private static TaskResponse ToResponse(AgentTask t) => new()
    {
        TaskId = t.Id,
        Status = t.Status,
        Attempts = t.Attempts,
        MaxRetries = t.MaxRetries,
        Goal = t.Goal,
        ChainAction = t.ChainAction,
        Address = t.Address,
        Metadata = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(t.MetadataJson, OpenMcpChainJson.Options) ?? [],
        Network = t.Network,
        SessionId = t.SessionId,
        Result = TaskResults.Read(t.ResultJson),
        Error = t.ErrorCode is null ? null : new TaskError(t.ErrorCode, t.ErrorMessage ?? ""),
        LastError = t.ErrorMessage,
        ErrorCode = t.ErrorCode,
        ApprovalId = t.Status == TaskStatuses.AwaitingApproval ? t.ApprovalId : null,
        Profile = t.Profile ?? AgentProfile.Default,
        SubmittedBy = t.SubmittedBy,
        Usage = new TokenUsage(t.TokensIn, t.TokensOut, t.ModelCalls, t.ModelCallsSaved),
        CreatedAt = t.CreatedAt.ToUnixTimeSeconds(),
        UpdatedAt = t.UpdatedAt.ToUnixTimeSeconds(),
    };
}

/// <summary>What the task handlers need, bundled.</summary>
public sealed class TaskServices(
    AgentDbContext db, TaskQueue queue, IOptions<AgentOptions> options, IOptions<ChainNetworks> networks, ILogger<TaskServices> logger)
{
    public AgentDbContext Db { get; } = db;
    public TaskQueue Queue { get; } = queue;
    public IOptions<AgentOptions> Options { get; } = options;
    public IOptions<ChainNetworks> Networks { get; } = networks;
    public ILogger<TaskServices> Logger { get; } = logger;
}
