using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Sdk;

/// <summary>Tasks: submit, read, list, wait, cancel, their steps and their live progress.</summary>
public sealed partial class OpenMcpChainClient
{
    public async Task<TaskResponse> CreateTaskAsync(CreateTaskRequest request, string? idempotencyKey = null, CancellationToken ct = default)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, "api/v1/tasks")
        {
            Content = JsonContent.Create(request, options: OpenMcpChainJson.Options),
        };
        if (idempotencyKey is not null)
        {
            message.Headers.Add("Idempotency-Key", idempotencyKey);
        }
        using var response = await http.SendAsync(message, ct);
        return await ReadAsync<TaskResponse>(response, ct);
    }

    public Task<TaskResponse> GetTaskAsync(string taskId, CancellationToken ct = default) =>
        GetAsync<TaskResponse>($"api/v1/tasks/{Escape(taskId)}", ct);

    /// <summary>Lists tasks; <paramref name="query"/> is the query string without the leading '?', e.g. <c>status=pending&amp;limit=10</c>.</summary>
    public Task<TaskListResponse> ListTasksAsync(string query = "", CancellationToken ct = default) =>
        GetAsync<TaskListResponse>($"api/v1/tasks?{query}", ct);

    /// <summary>
    /// Cancels a task (<c>POST /api/v1/tasks/{id}/cancel</c>): a pending or parked one ends <c>cancelled</c> at once (its
    /// parked write withdrawn); a running one stops at its next step (the answer still says <c>running</c>). A finished
    /// task is <c>TASK_ALREADY_FINISHED</c>.
    /// </summary>
    public Task<TaskResponse> CancelTaskAsync(string taskId, CancellationToken ct = default) =>
        PostAsync<TaskResponse>($"api/v1/tasks/{Escape(taskId)}/cancel", null, ct);

    /// <summary>The task's recorded steps (model turns and tool calls of every attempt), oldest first.</summary>
    public Task<List<TaskStepResponse>> GetStepsAsync(string taskId, CancellationToken ct = default) =>
        GetAsync<List<TaskStepResponse>>($"api/v1/tasks/{Escape(taskId)}/steps", ct);

    /// <summary>
    /// The task's progress as it happens (<c>GET /api/v1/tasks/{id}/events</c>, server-sent events): each status change and
    /// recorded step, ending after the final status. Pass the last event's <see cref="ServerSentEvent{T}.Id"/> as
    /// <paramref name="lastEventId"/> to go on after a broken connection without repeats.
    /// </summary>
    public IAsyncEnumerable<ServerSentEvent<TaskProgressEvent>> StreamTaskEventsAsync(string taskId, string? lastEventId = null, CancellationToken ct = default) =>
        StreamAsync<TaskProgressEvent>($"api/v1/tasks/{Escape(taskId)}/events", lastEventId, ct);

    /// <summary>Polls a task until it reaches a final status or <paramref name="timeout"/> passes.</summary>
    public async Task<TaskResponse> WaitForTaskAsync(string taskId, TimeSpan timeout, CancellationToken ct = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            var task = await GetTaskAsync(taskId, deadline.Token);
            if (TaskStatuses.IsFinal(task.Status))
            {
                return task;
            }
            await Task.Delay(delay, deadline.Token);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 1.5, 1000));
        }
    }

    /// <summary>Reads a server-sent event stream; each event's data is JSON of <typeparamref name="T"/>.</summary>
    private async IAsyncEnumerable<ServerSentEvent<T>> StreamAsync<T>(string path, string? lastEventId, [EnumeratorCancellation] CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (!string.IsNullOrEmpty(lastEventId)) request.Headers.Add("Last-Event-ID", lastEventId);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode) throw await ErrorAsync(response, ct);
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        await foreach (var item in System.Net.ServerSentEvents.SseParser.Create(body).EnumerateAsync(ct))
        {
            var data = System.Text.Json.JsonSerializer.Deserialize<T>(item.Data, OpenMcpChainJson.Options)
                       ?? throw new OpenMcpChainException(200, ErrorCodes.Internal, $"The server sent an empty '{item.EventType}' event.");
            yield return new ServerSentEvent<T>(item.EventType, item.EventId, data);
        }
    }
}
