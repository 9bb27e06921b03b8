using System.Globalization;
using System.Text.Json;
using Grpc.Core;
using OpenMcpChain.Sdk.Grpc;
using static OpenMcpChain.Gateway.Grpc.RestBridge;

namespace OpenMcpChain.Gateway.Grpc;

/// <summary>The task API over gRPC, each call the same call on <c>/api/v1/tasks</c> (<see cref="RestBridge"/>).</summary>
public sealed class TaskGrpcService(RestBridge rest) : TaskService.TaskServiceBase
{
    public override async Task<AgentTask> SubmitTask(SubmitTaskRequest request, ServerCallContext context)
    {
        Dictionary<string, JsonElement>? metadata = null;
        if (request.MetadataJson.Length > 0)
        {
            try
            {
                metadata = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(request.MetadataJson);
            }
            catch (JsonException)
            {
                throw GrpcErrors.InvalidArgument("metadata_json must be a JSON object.");
            }
        }
        var body = new Dictionary<string, object?>
        {
            ["goal"] = request.Goal, ["chain_action"] = Empty(request.ChainAction), ["address"] = Empty(request.Address),
            ["network"] = Empty(request.Network), ["session_id"] = Empty(request.SessionId), ["profile"] = Empty(request.Profile),
            ["metadata"] = metadata,
        };
        IEnumerable<(string, string)>? headers = request.IdempotencyKey.Length > 0 ? [("Idempotency-Key", request.IdempotencyKey)] : null;
        return ToTask(await rest.SendAsync(context, HttpMethod.Post, "api/v1/tasks", body, headers));
    }

    public override async Task<AgentTask> GetTask(GetTaskRequest request, ServerCallContext context) =>
        ToTask(await rest.GetAsync(context, $"api/v1/tasks/{Id(request.TaskId, "task_id")}"));

    public override async Task<ListTasksResponse> ListTasks(ListTasksRequest request, ServerCallContext context)
    {
        var page = await rest.GetAsync(context, "api/v1/tasks" + Json.Query(
            ("status", string.Join(',', request.Status)), ("since", request.Since), ("until", request.Until),
            ("has_result", request.HasHasResult ? (request.HasResult ? "true" : "false") : null), ("q", request.Q),
            ("limit", request.HasLimit ? request.Limit.ToString(CultureInfo.InvariantCulture) : null),
            ("offset", request.HasOffset ? request.Offset.ToString(CultureInfo.InvariantCulture) : null), ("order", request.Order)));
        var response = new ListTasksResponse { Total = page.Int("total"), HasMore = page.Bool("has_more") };
        if (page.LongOrNull("next_offset") is { } next) response.NextOffset = (int)next;
        response.Tasks.AddRange(page.Items("tasks").Select(ToTask));
        return response;
    }

    public override async Task<AgentTask> CancelTask(CancelTaskRequest request, ServerCallContext context) =>
        ToTask(await rest.SendAsync(context, HttpMethod.Post, $"api/v1/tasks/{Id(request.TaskId, "task_id")}/cancel", null));

    /// <summary>
    /// The REST event stream from the task's first event, numbered 1, 2, 3, … in order; the events up to
    /// <c>after_sequence</c> are skipped, so a second stream resumes exactly where a broken one stopped.
    /// </summary>
    public override async Task WatchTask(WatchTaskRequest request, IServerStreamWriter<TaskEvent> responseStream, ServerCallContext context)
    {
        var path = $"api/v1/tasks/{Id(request.TaskId, "task_id")}/events";
        ulong sequence = 0;
        await foreach (var (_, e) in rest.StreamAsync(context, path, null, context.CancellationToken))
        {
            if (++sequence <= request.AfterSequence) continue;
            var message = new TaskEvent
            {
                Sequence = sequence, Type = e.Str("type"), Status = e.Str("status"), Detail = e.Str("detail"),
                Attempt = e.Int("attempt"), Seq = e.Int("seq"), Kind = e.Str("kind"), Name = e.Str("name"), IsError = e.Bool("is_error"),
                ErrorCode = e.Str("error_code"), PolicyDecision = e.Str("policy_decision"), DurationMs = e.Long("duration_ms"), At = e.Long("at"),
            };
            if (e.LongOrNull("log_index") is { } index) message.LogIndex = index;
            await responseStream.WriteAsync(message, context.CancellationToken);
        }
    }

    public static AgentTask ToTask(JsonElement t)
    {
        var task = new AgentTask
        {
            TaskId = t.Str("task_id"), Status = t.Str("status"), Goal = t.Str("goal"), ChainAction = t.Str("chain_action"),
            Address = t.Str("address"), Network = t.Str("network"), SessionId = t.Str("session_id"), Profile = t.Str("profile"),
            SubmittedBy = t.Str("submitted_by"), ApprovalId = t.Str("approval_id"), Attempts = t.Int("attempts"),
            MaxRetries = t.Int("max_retries"), CreatedAt = t.Long("created_at"), UpdatedAt = t.Long("updated_at"),
            ResultJson = t.Raw("result"), MetadataJson = t.Raw("metadata"),
            ErrorCode = t.Obj("error")?.Str("code") ?? t.Str("error_code"), ErrorMessage = t.Obj("error")?.Str("message") ?? t.Str("last_error"),
        };
        if (t.Obj("usage") is { } usage)
        {
            task.InputTokens = usage.Long("input_tokens");
            task.OutputTokens = usage.Long("output_tokens");
            task.ModelCalls = usage.Long("model_calls");
            task.ModelCallsSaved = usage.Long("model_calls_saved");
        }
        if (t.Obj("result") is { } result)
        {
            task.Reply = result.Str("reply");
            if (result.Obj("provenance") is { } p)
            {
                task.Provenance = new Provenance { Signer = p.Str("signer"), Signature = p.Str("signature"), Scheme = p.Str("scheme"), Message = p.Str("message") };
                if (p.Obj("log") is { } log)
                {
                    task.Provenance.LogIndex = log.Long("index");
                    task.Provenance.LogTreeSize = log.Long("tree_size");
                    task.Provenance.LogRoot = log.Str("root");
                    task.Provenance.InclusionPath.AddRange(log.Items("inclusion_path").Select(h => h.GetString() ?? ""));
                }
            }
        }
        return task;
    }
}
