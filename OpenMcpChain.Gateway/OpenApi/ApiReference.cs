using Microsoft.Extensions.Options;
using OpenMcpChain.Gateway.Auth;
using OpenMcpChain.Sdk.Contracts;
using Scalar.AspNetCore;

namespace OpenMcpChain.Gateway.OpenApi;

/// <summary>
/// The API reference: one OpenAPI document per public surface at <c>/openapi/{name}.json</c> (<see cref="PublicDocuments"/>)
/// and the interactive reference at <c>/scalar</c>, whose script is served from the package (it works offline).
/// </summary>
public static class ApiReference
{
    public const string ScalarPath = "/scalar";

    public static void AddApiReference(this IHostApplicationBuilder builder)
    {
        builder.AddApiDocs(ServiceDocuments.GatewayDocument); // the Gateway's own endpoints: the auth document's source
        builder.Services.AddMemoryCache();
        builder.Services.AddHttpClient(ServiceDocuments.HttpClientName);
        builder.Services.AddSingleton<ServiceDocuments>();
    }

    public static IEndpointRouteBuilder MapApiReference(this IEndpointRouteBuilder app)
    {
        var names = string.Join('|', PublicDocuments.All.Select(d => d.Name));
        // Any other name falls through to the coded 404.
        app.MapGet($"/openapi/{{name:regex(^({names})$)}}.json", GetDocumentAsync).AllowAnonymous().ExcludeFromDescription();
        app.MapScalarApiReference(ScalarPath, o =>
        {
            o.WithTitle("OpenMCP-Chain API reference").WithOpenApiRoutePattern("/openapi/{documentName}.json");
            foreach (var document in PublicDocuments.All) o.AddDocument(document.Name, document.Title, isDefault: document == PublicDocuments.All[0]);
            // Nothing leaves the Gateway's origin: no web fonts from Scalar's CDN, no telemetry, no AI agent, no hosted-service toolbar.
            o.DisableDefaultFonts().DisableTelemetry().DisableAgent().DisableMcp().HideDeveloperTools();
            o.AddPreferredSecuritySchemes(["oauth2"]).ExpandAllTags();
        }).AllowAnonymous();
        return app;
    }

    private static async Task<IResult> GetDocumentAsync(
        string name, HttpRequest request, ServiceDocuments sources, IOptionsMonitor<AuthOptions> options, ILogger<ServiceDocuments> logger, CancellationToken ct)
    {
        var definition = PublicDocuments.Find(name)!;
        try
        {
            var source = await sources.GetAsync(definition.Service, ct);
            return TypedResults.Json(DocumentComposer.Compose(definition, source, AuthPaths.Origin(request, options.CurrentValue)));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            logger.LogWarning(e, "The OpenAPI document of {Service} could not be read", definition.Service);
            return ApiErrors.Problem(StatusCodes.Status503ServiceUnavailable, ErrorCodes.Unavailable,
                $"The {definition.Title} reference could not be read from its service; try again shortly.");
        }
    }
}
