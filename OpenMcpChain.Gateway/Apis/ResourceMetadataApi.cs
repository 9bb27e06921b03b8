using Microsoft.Extensions.Options;
using OpenMcpChain.Gateway.Auth;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// RFC 9728 protected resource metadata: <c>/.well-known/oauth-protected-resource</c> for the API (the Gateway's origin)
/// and <c>…/mcp</c> for the MCP endpoint, each naming the authorization server and the scopes it takes.
/// </summary>
public static class ResourceMetadataApi
{
    public sealed record ResourceMetadata(string Resource, string[] AuthorizationServers, string[] ScopesSupported,
        string[] BearerMethodsSupported, string ResourceName);

    public static IEndpointRouteBuilder MapResourceMetadataApi(this IEndpointRouteBuilder app)
    {
        app.MapGet(AuthPaths.ResourceMetadata, (HttpRequest request, IOptionsMonitor<AuthOptions> options) =>
                Describe(request, options.CurrentValue, "", "OpenMCP-Chain API", ScopeNames.All))
            .AllowAnonymous().WithName("ApiResourceMetadata").WithTags("Auth").WithSummary("Protected resource metadata of the API (RFC 9728)")
            .WithDescription("Names the authorization server and the scopes of `/api/v1`; a 401's WWW-Authenticate header points here.")
            .Produces<ResourceMetadata>();
        app.MapGet(AuthPaths.McpResourceMetadata, (HttpRequest request, IOptionsMonitor<AuthOptions> options) =>
                Describe(request, options.CurrentValue, "/mcp", "OpenMCP-Chain chain tools (MCP)", [ScopeNames.ChainTools]))
            .AllowAnonymous().WithName("McpResourceMetadata").WithTags("Auth").WithSummary("Protected resource metadata of /mcp (RFC 9728)")
            .WithDescription("Names the authorization server and the scope (`chain:tools`) of the MCP endpoint, from which MCP clients discover how to sign in.")
            .Produces<ResourceMetadata>();
        return app;
    }

    private static IResult Describe(HttpRequest request, AuthOptions options, string path, string name, string[] scopes)
    {
        var origin = AuthPaths.Origin(request, options);
        return TypedResults.Ok(new ResourceMetadata(origin + path, [AuthPaths.Issuer(request, options)], scopes, ["header"], name));
    }
}
