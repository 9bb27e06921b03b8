using Microsoft.Extensions.Options;
using OpenMcpChain.Gateway.Auth;

namespace Microsoft.AspNetCore.Builder;

/// <summary><c>POST /api/v1/auth/token</c> (password grant, JSON or form), as the original daemon offered it.</summary>
public static class AuthApi
{
    public sealed record TokenRequest(string? GrantType, string? Username, string? Password, string? Scope);
    public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn, string Scope);

    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/auth/token", IssueAsync).AllowAnonymous();
        return app;
    }

    private static async Task<IResult> IssueAsync(HttpRequest http, IOptions<AuthOptions> options, ILogger<TokenRequest> logger)
    {
        TokenRequest? request;
        try
        {
            request = http.HasFormContentType
                ? await FromFormAsync(http)
                : await http.ReadFromJsonAsync<TokenRequest>(OpenMcpChain.Sdk.OpenMcpChainJson.Options);
        }
        catch (System.Text.Json.JsonException)
        {
            request = null;
        }
        if (request is null || string.IsNullOrEmpty(request.Username) || string.IsNullOrEmpty(request.Password))
            return ApiErrors.Problem(400, "INVALID_ARGUMENT", "username and password are required (grant_type password).");
        if (request.GrantType is not (null or "password"))
            return ApiErrors.Problem(400, "UNSUPPORTED_GRANT_TYPE", $"grant_type '{request.GrantType}' is not supported; use 'password'.");
        if (GatewayAuth.Issue(options.Value, request.Username, request.Password, request.Scope) is not { } issued)
        {
            logger.LogWarning("Refused a token for {User}", request.Username);
            return ApiErrors.Problem(401, "INVALID_CREDENTIALS", "The username or password is wrong.");
        }
        return TypedResults.Ok(new TokenResponse(issued.Token, "Bearer", issued.ExpiresIn, issued.Scope));
    }

    private static async Task<TokenRequest> FromFormAsync(HttpRequest http)
    {
        var form = await http.ReadFormAsync();
        return new TokenRequest(form["grant_type"], form["username"], form["password"], form["scope"]);
    }
}
