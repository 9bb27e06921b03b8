using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

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
        if (response.IsSuccessStatusCode) return await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        // The problem body carries the tool error's fields; a body without them (a proxy's page) is still a coded failure.
        var error = await ReadErrorAsync(response, ct)
                    ?? new ChainToolError(ErrorCodes.Unavailable, $"ChainService answered {(int)response.StatusCode} {response.ReasonPhrase}.");
        throw new ChainServiceException(error);
    }

    private static async Task<ChainToolError?> ReadErrorAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            return ChainToolError.From(await response.Content.ReadFromJsonAsync<JsonElement>(ct));
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>A coded refusal from ChainService, with the tool error's typed fields.</summary>
public sealed class ChainServiceException(ChainToolError error) : Exception($"{error.Code}: {error.Message}")
{
    public ChainToolError Error { get; } = error;

    public string Code => Error.Code;
}
