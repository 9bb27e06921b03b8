namespace OpenMcpChain.Gateway.Auth;

/// <summary>Where the authorization server and its documents answer.</summary>
public static class AuthPaths
{
    public const string Authorize = "/connect/authorize";
    public const string Token = "/connect/token";
    /// <summary>The original daemon's token endpoint, served by the same server.</summary>
    public const string LegacyToken = "/api/v1/auth/token";
    public const string Revoke = "/connect/revoke";
    public const string Register = "/connect/register";
    public const string SignIn = "/account/signin";
    public const string ResourceMetadata = "/.well-known/oauth-protected-resource";
    public const string McpResourceMetadata = ResourceMetadata + "/mcp";

    /// <summary>The public origin: <c>Auth:PublicBaseUrl</c>, else the request's own scheme, host and path base.</summary>
    public static string Origin(HttpRequest request, AuthOptions options) =>
        options.PublicBaseUrl is { } configured
            ? configured.GetLeftPart(UriPartial.Authority) + configured.AbsolutePath.TrimEnd('/')
            : $"{request.Scheme}://{request.Host}{request.PathBase}";

    /// <summary>The issuer, as the authorization server names itself in its metadata (with the trailing slash).</summary>
    public static string Issuer(HttpRequest request, AuthOptions options) => Origin(request, options) + "/";
}
