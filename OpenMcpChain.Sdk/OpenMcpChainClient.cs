using System.Net.Http.Json;
using System.Text.Json;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Sdk;

/// <summary>A typed client for the OpenMCP-Chain public API (<c>/api/v1</c>).</summary>
public sealed class OpenMcpChainClient(HttpClient http)
{
    /// <summary>
    /// Gets a bearer token (<c>POST /api/v1/auth/token</c>, password grant) and sends it with every later request of
    /// this client's <see cref="HttpClient"/>. A wrong password is an <see cref="OpenMcpChainException"/> with
    /// <c>INVALID_CREDENTIALS</c>.
    /// </summary>
    public async Task<TokenResponse> AuthenticateAsync(string username, string password, string? scope = null, CancellationToken ct = default)
    {
        using var response = await http.PostAsJsonAsync("api/v1/auth/token",
            new { grant_type = "password", username, password, scope }, OpenMcpChainJson.Options, ct);
        var token = await ReadAsync<TokenResponse>(response, ct);
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token.AccessToken);
        return token;
    }

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

    public async Task<TaskResponse> GetTaskAsync(string taskId, CancellationToken ct = default)
    {
        using var response = await http.GetAsync($"api/v1/tasks/{Uri.EscapeDataString(taskId)}", ct);
        return await ReadAsync<TaskResponse>(response, ct);
    }

    /// <summary>Lists tasks; <paramref name="query"/> is the query string without the leading '?', e.g. <c>status=pending&amp;limit=10</c>.</summary>
    public async Task<TaskListResponse> ListTasksAsync(string query = "", CancellationToken ct = default)
    {
        using var response = await http.GetAsync($"api/v1/tasks?{query}", ct);
        return await ReadAsync<TaskListResponse>(response, ct);
    }

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

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
        {
            return await response.Content.ReadFromJsonAsync<T>(OpenMcpChainJson.Options, ct)
                ?? throw new OpenMcpChainException((int)response.StatusCode, ErrorCodes.Internal, "The server returned an empty body.");
        }
        var body = await response.Content.ReadAsStringAsync(ct);
        ApiError? error = null;
        try
        {
            error = JsonSerializer.Deserialize<ApiError>(body, OpenMcpChainJson.Options);
        }
        catch (JsonException)
        {
        }
        throw new OpenMcpChainException(
            (int)response.StatusCode,
            error?.Code ?? ErrorCodes.Internal,
            error?.Message ?? $"HTTP {(int)response.StatusCode}: {body}");
    }
}

/// <summary>An error answer from the API, carrying its stable code.</summary>
public sealed class OpenMcpChainException(int statusCode, string code, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
    public string Code { get; } = code;
}
