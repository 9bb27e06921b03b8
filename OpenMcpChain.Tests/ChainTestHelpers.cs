using System.Net.Http.Json;
using System.Text.Json;
using OpenMcpChain.Sdk;

namespace OpenMcpChain.Tests;

/// <summary>Calls ChainService's tools over its REST face and reads answers and coded errors.</summary>
internal static class ChainTestHelpers
{
    public static async Task<JsonElement> ToolAsync(this HttpClient client, string tool, object args)
    {
        using var response = await client.PostAsJsonAsync($"/api/tools/{tool}", args, OpenMcpChainJson.Options);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, $"{tool} failed: {(int)response.StatusCode} {body}");
        return body;
    }

    public static async Task<(int Status, string Code, JsonElement Body)> ToolErrorAsync(this HttpClient client, string tool, object args)
    {
        using var response = await client.PostAsJsonAsync($"/api/tools/{tool}", args, OpenMcpChainJson.Options);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(response.IsSuccessStatusCode, $"{tool} was expected to fail but answered {body}");
        Assert.True(body.TryGetProperty("message", out var message) && message.GetString()!.Length > 0, $"no message: {body}");
        return ((int)response.StatusCode, body.GetProperty("code").GetString()!, body);
    }
}
