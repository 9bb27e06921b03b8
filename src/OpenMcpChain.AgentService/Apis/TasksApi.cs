using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Nethereum.Util;
using OpenMcpChain.AgentService.Agent;
using OpenMcpChain.AgentService.Apis;
using OpenMcpChain.AgentService.Infrastructure;
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
        var api = app.MapGroup("/api/v1/tasks");
        api.MapPost("/", CreateTaskAsync);
        api.MapGet("/", ListTasksAsync);
        api.MapGet("/stats", GetStatsAsync);
        api.MapGet("/{id}", GetTaskAsync);
        return api;
    }

    public static async Task<Results<Accepted<TaskResponse>, ProblemHttpResult>> CreateTaskAsync(
        CreateTaskRequest? request,
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        [AsParameters] TaskServices services,
        CancellationToken ct)
    {
        if (Validate(request, idempotencyKey) is { } error)
        {
            return ApiErrors.Problem(400, ErrorCodes.InvalidArgument, error);
        }
        var db = services.Db;
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
            Network = request.Network?.Trim() is { Length: > 0 } n ? n : null,
            SessionId = request.SessionId?.Trim() is { Length: > 0 } s ? s : null,
            IdempotencyKey = idempotencyKey,
            Status = TaskStatuses.Pending,
            MaxRetries = services.Options.Value.MaxRetries,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Tasks.Add(task);
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

    public static async Task<Results<Ok<TaskResponse>, ProblemHttpResult>> GetTaskAsync(string id, AgentDbContext db, CancellationToken ct)
    {
        var task = await db.Tasks.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, ct);
        return task is null
            ? ApiErrors.Problem(404, ErrorCodes.TaskNotFound, $"Task '{id}' does not exist.")
            : TypedResults.Ok(ToResponse(task));
    }

    /// <summary>Lists tasks; <c>?id=</c> reads one task, as the original daemon allowed.</summary>
    public static async Task<Results<Ok<TaskListResponse>, Ok<TaskResponse>, ProblemHttpResult>> ListTasksAsync(
        HttpRequest http, AgentDbContext db, CancellationToken ct)
    {
        if (http.Query.TryGetValue("id", out var id) && !string.IsNullOrWhiteSpace(id))
        {
            var one = await GetTaskAsync(id.ToString(), db, ct);
            return one.Result is Ok<TaskResponse> ok ? ok : (ProblemHttpResult)one.Result;
        }
        var (query, error) = TaskQuery.Parse(http.Query);
        if (query is null)
        {
            return ApiErrors.Problem(400, ErrorCodes.InvalidArgument, error!);
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

    public static async Task<Results<Ok<TaskStatsResponse>, ProblemHttpResult>> GetStatsAsync(
        HttpRequest http, AgentDbContext db, CancellationToken ct)
    {
        var (query, error) = TaskQuery.Parse(http.Query);
        if (query is null)
        {
            return ApiErrors.Problem(400, ErrorCodes.InvalidArgument, error!);
        }
        var rows = await Filter(db.Tasks.AsNoTracking(), query)
            .GroupBy(t => t.Status)
            .Select(g => new { Status = g.Key, Count = g.Count(), Oldest = g.Min(t => t.UpdatedAt), Newest = g.Max(t => t.UpdatedAt) })
            .ToListAsync(ct);
        int Count(string status) => rows.Where(r => r.Status == status).Sum(r => r.Count);
        return TypedResults.Ok(new TaskStatsResponse(
            rows.Sum(r => r.Count),
            Count(TaskStatuses.Pending), Count(TaskStatuses.Running), Count(TaskStatuses.Succeeded), Count(TaskStatuses.Failed),
            rows.Count == 0 ? null : rows.Min(r => r.Oldest).ToUnixTimeSeconds(),
            rows.Count == 0 ? null : rows.Max(r => r.Newest).ToUnixTimeSeconds()));
    }

    private static IQueryable<AgentTask> Filter(IQueryable<AgentTask> tasks, TaskQuery query)
    {
        if (query.Statuses.Count > 0) tasks = tasks.Where(t => query.Statuses.Contains(t.Status));
        if (query.Since is { } since) tasks = tasks.Where(t => t.UpdatedAt >= since);
        if (query.Until is { } until) tasks = tasks.Where(t => t.UpdatedAt <= until);
        if (query.HasResult is { } hasResult) tasks = tasks.Where(t => (t.ResultJson != null) == hasResult);
        if (query.Text is { } text) tasks = tasks.Where(t => t.Goal.Contains(text));
        return tasks;
    }

    private static string? Validate(CreateTaskRequest? request, string? idempotencyKey)
    {
        if (request is null) return "The request body must be a JSON object with a goal.";
        if (string.IsNullOrWhiteSpace(request.Goal)) return "goal is required and must not be empty.";
        if (request.Goal.Length > MaxGoalLength) return $"goal must be at most {MaxGoalLength} characters.";
        if (request.ChainAction?.Length > 64) return "chain_action must be at most 64 characters.";
        if (!string.IsNullOrWhiteSpace(request.Address) && !AddressUtil.Current.IsValidEthereumAddressHexFormat(request.Address.Trim()))
            return "address must be 0x followed by 40 hex digits.";
        if (request.Network?.Length > 64) return "network must be at most 64 characters.";
        if (request.SessionId?.Length > 64) return "session_id must be at most 64 characters.";
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
        Result = t.ResultJson is null ? null : JsonSerializer.Deserialize<TaskResult>(t.ResultJson, OpenMcpChainJson.Options),
        Error = t.ErrorCode is null ? null : new TaskError(t.ErrorCode, t.ErrorMessage ?? ""),
        CreatedAt = t.CreatedAt.ToUnixTimeSeconds(),
        UpdatedAt = t.UpdatedAt.ToUnixTimeSeconds(),
    };
}

/// <summary>What the task handlers need, bundled.</summary>
public sealed class TaskServices(AgentDbContext db, TaskQueue queue, IOptions<AgentOptions> options, ILogger<TaskServices> logger)
{
    public AgentDbContext Db { get; } = db;
    public TaskQueue Queue { get; } = queue;
    public IOptions<AgentOptions> Options { get; } = options;
    public ILogger<TaskServices> Logger { get; } = logger;
}
