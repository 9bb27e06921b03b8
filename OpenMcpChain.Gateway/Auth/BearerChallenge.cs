using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.Options;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Gateway.Auth;

/// <summary>
/// The 401/403 of a protected route (<c>/api/v1</c>, <c>/mcp</c>): the API's coded body, and the RFC 6750 challenge with
/// RFC 9728's <c>resource_metadata</c>, from which MCP clients discover how to sign in.
/// </summary>
public sealed class BearerChallenge(IOptionsMonitor<AuthOptions> options) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult result)
    {
        if (!result.Challenged && !result.Forbidden)
        {
            await _default.HandleAsync(next, context, policy, result);
            return;
        }
        var metadata = AuthPaths.Origin(context.Request, options.CurrentValue)
            + (context.Request.Path.StartsWithSegments("/mcp") ? AuthPaths.McpResourceMetadata : AuthPaths.ResourceMetadata);
        if (result.Challenged)
        {
            var presented = context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);
            context.Response.Headers.WWWAuthenticate = presented
                ? $"Bearer error=\"invalid_token\", error_description=\"The access token is invalid, expired or revoked.\", resource_metadata=\"{metadata}\""
                : $"Bearer resource_metadata=\"{metadata}\"";
            await ApiErrors.Problem(401, ErrorCodes.Unauthenticated, presented
                ? "The bearer token is invalid, expired or revoked; get a new one at /api/v1/auth/token or through OAuth."
                : "A bearer token is required: POST /api/v1/auth/token (or OAuth, see WWW-Authenticate), then Authorization: Bearer <access_token>.")
                .ExecuteAsync(context);
            return;
        }
        var scope = string.Join(' ', policy.Requirements.OfType<ScopePolicies.ScopeRequirement>().Select(r => r.Scope));
        context.Response.Headers.WWWAuthenticate = $"Bearer error=\"insufficient_scope\", scope=\"{scope}\", resource_metadata=\"{metadata}\"";
        await ApiErrors.Problem(403, ErrorCodes.Forbidden, $"The token's scope does not allow this request; it needs {scope}.").ExecuteAsync(context);
    }
}
