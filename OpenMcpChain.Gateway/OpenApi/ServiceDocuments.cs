using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.OpenApi;

namespace OpenMcpChain.Gateway.OpenApi;

/// <summary>
/// The OpenAPI documents the reference is cut from: each service's own <c>/openapi/v1.json</c> (through service
/// discovery) and the Gateway's own; kept briefly, so a reader paging through the reference does not load the services.
/// </summary>
public sealed class ServiceDocuments(IHttpClientFactory clients, IMemoryCache cache, IServiceProvider services)
{
    public const string HttpClientName = "openapi";
    /// <summary>The name of the Gateway's own document (its auth endpoints).</summary>
    public const string GatewayDocument = "auth";
    private static readonly TimeSpan KeepFor = TimeSpan.FromSeconds(30);

    /// <summary>The source document of <paramref name="service"/> (null: the Gateway's); a fresh copy each call, for the caller to edit.</summary>
    public async Task<JsonObject> GetAsync(string? service, CancellationToken ct)
    {
        var json = await cache.GetOrCreateAsync($"openapi:{service}", async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = KeepFor;
            return service is null ? await OwnAsync(ct) : await clients.CreateClient(HttpClientName).GetStringAsync($"http://{service}/openapi/v1.json", ct);
        });
        return JsonNode.Parse(json!)!.AsObject();
    }

    private async Task<string> OwnAsync(CancellationToken ct)
    {
        var document = await services.GetRequiredKeyedService<IOpenApiDocumentProvider>(GatewayDocument).GetOpenApiDocumentAsync(ct);
        return await document.SerializeAsJsonAsync(OpenApiSpecVersion.OpenApi3_1, ct);
    }
}
