using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OpenMcpChain.Sdk;

namespace OpenMcpChain.ProofService.Anchoring;

/// <summary>ChainService's REST face as this service uses it: tools and contract creation, with this service's caller key.</summary>
public sealed class ChainServiceClient
{
    private readonly HttpClient _http;

    public ChainServiceClient(HttpClient http, IOptions<AnchoringOptions> options)
    {
        _http = http;
        _http.BaseAddress = new Uri(options.Value.ChainServiceUrl);
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.Value.ApiKey);
    }

    public Task<JsonElement> ToolAsync(string tool, object arguments, CancellationToken ct) => PostAsync($"/api/tools/{tool}", arguments, ct);

    public Task<JsonElement> DeployAsync(object request, CancellationToken ct) => PostAsync("/api/contracts", request, ct);

    private async Task<JsonElement> PostAsync(string path, object body, CancellationToken ct)
    {
        using var response = await _http.PostAsJsonAsync(path, body, OpenMcpChainJson.Options, ct);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        if (response.IsSuccessStatusCode) return answer;
        throw new ChainServiceException(
            answer.TryGetProperty("code", out var code) ? code.GetString() ?? "UNKNOWN" : "UNKNOWN",
            answer.TryGetProperty("message", out var message) ? message.GetString() ?? "" : response.ReasonPhrase ?? "");
    }
}

/// <summary>A coded refusal from ChainService.</summary>
public sealed class ChainServiceException(string code, string message) : Exception($"{code}: {message}")
{
    public string Code { get; } = code;
}
