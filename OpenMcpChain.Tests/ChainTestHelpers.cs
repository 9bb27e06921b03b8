using System.Net.Http.Json;
using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Tests;

/// <summary>Calls ChainService's tools over its REST and MCP faces and reads answers and typed errors.</summary>
internal static class ChainTestHelpers
{
    /// <summary>How long one MCP call may take before the test fails instead of waiting.</summary>
    public static readonly TimeSpan CallDeadline = TimeSpan.FromSeconds(60);

    public static async Task<JsonElement> ToolAsync(this HttpClient client, string tool, object args)
    {
        using var response = await client.PostAsJsonAsync($"/api/tools/{tool}", args, OpenMcpChainJson.Options);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, $"{tool} failed: {(int)response.StatusCode} {body}");
        return body;
    }

    /// <summary>A failing REST call's status and its problem body read as the SDK's <see cref="ChainToolError"/>.</summary>
    public static async Task<ToolFailure> ToolErrorAsync(this HttpClient client, string tool, object args)
    {
        using var response = await client.PostAsJsonAsync($"/api/tools/{tool}", args, OpenMcpChainJson.Options);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(response.IsSuccessStatusCode, $"{tool} was expected to fail but answered {body}");
        var error = ChainToolError.From(body);
        Assert.True(error is { Message.Length: > 0 }, $"no typed error: {body}");
        return new ToolFailure((int)response.StatusCode, error!, body);
    }

    /// <summary>An MCP session with ChainService as <paramref name="apiKey"/>, optionally acting for a task.</summary>
    public static async Task<McpClient> ConnectMcpAsync(this ChainServiceFixture chain, string apiKey = ChainServiceFixture.AgentKey, string? taskId = null) =>
        await ConnectMcpAsync(chain.CreateClient(apiKey, taskId), apiKey);

    public static async Task<McpClient> ConnectMcpAsync(HttpClient http, string apiKey)
    {
        using var deadline = new CancellationTokenSource(CallDeadline);
        return await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(http.BaseAddress!, "/mcp"),
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = $"Bearer {apiKey}" },
        }, http), cancellationToken: deadline.Token);
    }

    /// <summary>Calls a tool over MCP within <see cref="CallDeadline"/>.</summary>
    public static async Task<CallToolResult> CallAsync(this McpClient mcp, string tool, Dictionary<string, object?> args)
    {
        using var deadline = new CancellationTokenSource(CallDeadline);
        return await mcp.CallToolAsync(tool, args, cancellationToken: deadline.Token);
    }

    /// <summary>The typed error an MCP error result carries in its structured content.</summary>
    public static ChainToolError Error(this CallToolResult result)
    {
        Assert.True(result.IsError, $"expected an error result: {JsonSerializer.Serialize(result.StructuredContent)}");
        var error = ChainToolError.From(result.StructuredContent);
        Assert.NotNull(error);
        Assert.DoesNotContain(result.Content.OfType<TextContentBlock>(), t => t.Text.Contains("An error occurred invoking", StringComparison.Ordinal));
        return error;
    }

    public static string Text(this CallToolResult result) => string.Join(" ", result.Content.OfType<TextContentBlock>().Select(t => t.Text));
}

/// <summary>A failed REST tool call: <c>var (status, error) = …</c>, or <c>(status, code, body)</c> where only the code is needed.</summary>
internal sealed class ToolFailure(int status, ChainToolError error, JsonElement body)
{
    public int Status => status;
    public ChainToolError Error => error;
    public JsonElement Body => body;

    public void Deconstruct(out int status, out ChainToolError error) => (status, error) = (Status, Error);

    public void Deconstruct(out int status, out string code, out JsonElement body) => (status, code, body) = (Status, Error.Code, Body);
}
