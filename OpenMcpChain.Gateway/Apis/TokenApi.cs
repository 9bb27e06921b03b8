using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using OpenMcpChain.Gateway.Auth;
using OpenMcpChain.Sdk.Contracts;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// The token endpoint (<c>/connect/token</c>, and <c>POST /api/v1/auth/token</c> as the original daemon offered it):
/// the authorization server has checked the request and the client; this decides who the token is for.
/// </summary>
public static class TokenApi
{
    public static IEndpointRouteBuilder MapTokenApi(this IEndpointRouteBuilder app)
    {
        app.MapPost(AuthPaths.LegacyToken, IssueAsync).AllowAnonymous().WithName("IssueTokenV1").WithTags("Auth")
            .WithSummary("Get a token (the original daemon's endpoint)")
            .WithDescription("`grant_type=password` with `username`, `password` and `scope` (a string or an array), or `refresh_token`; " +
                             "any OAuth grant of `/connect/token` works here too. A form or JSON. Repeated wrong passwords lock the user " +
                             "and the address for a while (429 with Retry-After).")
            .Accepts<TokenForm>("application/json", "application/x-www-form-urlencoded").Produces<TokenResponse>()
            .RequestExample(new TokenForm("password", "operator", "<password>", ["tasks:read", "tasks:write"], null))
            .ResponseExample(200, Example).WithTokenErrors();
        app.MapPost(AuthPaths.Token, IssueAsync).AllowAnonymous().WithName("IssueToken").WithTags("Auth")
            .WithSummary("The OAuth 2.1 token endpoint")
            .WithDescription("`authorization_code` (with the PKCE `code_verifier`), `client_credentials` (a confidential client's id and secret), " +
                             "`refresh_token` and `password`, as an `application/x-www-form-urlencoded` form. Errors carry OAuth's " +
                             "`error`/`error_description` and the API's `code`/`message`.")
            .Accepts<TokenForm>("application/x-www-form-urlencoded").Produces<TokenResponse>()
            .ResponseExample(200, Example).WithTokenErrors();
        return app;
    }

    private static readonly TokenResponse Example = new("eyJhbGciOiJFUzI1NiIs…", "Bearer", 3600, "tasks:read tasks:write", "CfDJ8…");

    private static RouteHandlerBuilder WithTokenErrors(this RouteHandlerBuilder builder) => builder
        .ProducesErrors(400, ErrorCodes.UnsupportedGrant, ErrorCodes.InvalidGrant, ErrorCodes.InvalidScope, ErrorCodes.InvalidArgument)
        .ProducesErrors(401, ErrorCodes.InvalidCredentials, ErrorCodes.InvalidClient)
        .ProducesErrors(403, ErrorCodes.UnauthorizedClient)
        .ProducesErrors(429, ErrorCodes.RateLimited);

    /// <summary>The request's fields as the original daemon's clients send them (for the API reference).</summary>
    public sealed record TokenForm(string? GrantType, string? Username, string? Password, string[]? Scope, string? RefreshToken);

    private static async Task<IResult> IssueAsync(HttpContext http, PasswordSignIn passwords, IOptionsMonitor<AuthOptions> options)
    {
        var request = http.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The token endpoint was reached without an authorization server request.");
        if (request.IsPasswordGrantType())
        {
            var outcome = await passwords.CheckAsync(request.Username!, request.Password!, http.Connection.RemoteIpAddress);
            if (outcome.RetryAfter is not null)
            {
                http.Response.Headers.RetryAfter = outcome.RetryAfterSeconds.ToString();
                return OAuthErrors.Problem(429, ErrorCodes.RateLimited,
                    $"Too many failed sign-ins for this user or address; try again in {outcome.RetryAfterSeconds} s.", Errors.InvalidGrant);
            }
            if (outcome.Account is not { } user)
                return OAuthErrors.Problem(401, ErrorCodes.InvalidCredentials, "The username or password is wrong.", Errors.InvalidGrant);
            return Issue(TokenPrincipals.ForUser(outcome.User!, TokenPrincipals.Grant(request.GetScopes(), user.Granted)));
        }
        if (request.IsClientCredentialsGrantType())
        {
            // The server has checked the secret and that every scope asked for is one the client may have.
            var clientId = request.ClientId!;
            var held = options.CurrentValue.Clients.TryGetValue(clientId, out var client) ? client.Scopes : [];
            return Issue(TokenPrincipals.ForClient(clientId, TokenPrincipals.Grant(request.GetScopes(), held)));
        }
        if (request.IsAuthorizationCodeGrantType() || request.IsRefreshTokenGrantType())
        {
            var granted = (await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme)).Principal;
            var name = granted?.GetClaim(Claims.Subject);
            // A user removed from configuration, or who lost a scope, keeps nothing of it through an old code or refresh token.
            if (granted is null || name is null || !options.CurrentValue.Users.TryGetValue(name, out var user))
                return Refuse(Errors.InvalidGrant, "The authorization code or refresh token is no longer valid.");
            return Issue(TokenPrincipals.ForUser(name, granted.GetScopes().Where(user.Granted.Contains)));
        }
        return Refuse(Errors.UnsupportedGrantType, $"grant_type '{request.GrantType}' is not supported.");
    }

    private static IResult Issue(ClaimsPrincipal principal) =>
        Results.SignIn(principal, authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);

    private static IResult Refuse(string error, string description) => Results.Forbid(
        new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }), [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
}
