using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using OpenMcpChain.Sdk.Contracts;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using OpenMcpChain.Gateway.Auth;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// The authorization endpoint (<c>/connect/authorize</c>, code + PKCE S256): a signed-in user (the sign-in page's cookie)
/// gets a code for the scopes it asked for and holds; anyone else is sent to the sign-in page first.
/// </summary>
public static class AuthorizeApi
{
    /// <summary>The paths a <c>resource</c> (RFC 8707) may name: the Gateway's protected resources.</summary>
    private static readonly string[] ResourcePaths = ["/", "/mcp", "/api/v1"];

    public static IEndpointRouteBuilder MapAuthorizeApi(this IEndpointRouteBuilder app)
    {
        app.MapMethods(AuthPaths.Authorize, [HttpMethods.Get, HttpMethods.Post], AuthorizeAsync).AllowAnonymous().WithName("Authorize").WithTags("Auth")
            .WithSummary("Start the authorization code flow (PKCE S256)")
            .WithDescription("Opened in the user's browser. A signed-in user is sent back to `redirect_uri` with a `code` for the scopes " +
                             "asked for that they hold; anyone else goes to the sign-in page first. Exchange the code at `/connect/token`.")
            .WithQuery("response_type", "`code`.", JsonSchemaType.String).WithQuery("client_id", "The registered client.", JsonSchemaType.String)
            .WithQuery("redirect_uri", "One of the client's redirect URIs.", JsonSchemaType.String)
            .WithQuery("scope", "Space-separated scopes (add `offline_access` for a refresh token).", JsonSchemaType.String)
            .WithQuery("state", "Returned unchanged to the redirect URI.", JsonSchemaType.String)
            .WithQuery("code_challenge", "BASE64URL(SHA-256(code_verifier)).", JsonSchemaType.String)
            .WithQuery("code_challenge_method", "`S256`.", JsonSchemaType.String)
            .WithQuery("resource", "Optional (RFC 8707): this Gateway's origin, its `/api/v1` or its `/mcp`.", JsonSchemaType.String)
            .Produces(302).ProducesErrors(400, ErrorCodes.InvalidArgument, ErrorCodes.InvalidClient, ErrorCodes.InvalidScope);
        return app;
    }

    private static async Task<IResult> AuthorizeAsync(HttpContext http, IOptionsMonitor<AuthOptions> options)
    {
        var request = http.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The authorization endpoint was reached without an authorization server request.");
        var unknown = request.GetResources().FirstOrDefault(r =>
            !Uri.TryCreate(r, UriKind.Absolute, out var uri) || !ResourcePaths.Contains(uri.AbsolutePath.TrimEnd('/') is "" ? "/" : uri.AbsolutePath.TrimEnd('/')));
        if (unknown is not null) return Refuse(Errors.InvalidTarget, $"The resource '{unknown}' is not served here; use /mcp or /api/v1.");

        var signedIn = (await http.AuthenticateAsync(AuthorizationServer.SignInScheme)).Principal?.Identity?.Name;
        // prompt=login (the console after a sign-out, or to switch users): ask for the password again, then carry on
        // without the prompt so the answered request does not ask once more.
        var login = request.HasPromptValue(PromptValues.Login);
        if (login || signedIn is null || !options.CurrentValue.Users.TryGetValue(signedIn, out var user))
        {
            if (request.HasPromptValue(PromptValues.None)) return Refuse(Errors.LoginRequired, "The user is not signed in.");
            var parameters = http.Request.HasFormContentType
                ? (await http.Request.ReadFormAsync()).SelectMany(f => f.Value.Select(v => KeyValuePair.Create(f.Key, v)))
                : http.Request.Query.SelectMany(q => q.Value.Select(v => KeyValuePair.Create(q.Key, v)));
            var query = Microsoft.AspNetCore.Http.QueryString.Create(parameters.Where(p => p.Key != Parameters.Prompt));
            if (login) await http.SignOutAsync(AuthorizationServer.SignInScheme);
            return Results.Redirect($"{AuthPaths.SignIn}?ReturnUrl={Uri.EscapeDataString(AuthPaths.Authorize + query)}");
        }
        return Results.SignIn(TokenPrincipals.ForUser(signedIn, TokenPrincipals.Grant(request.GetScopes(), user.Granted)),
            authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static IResult Refuse(string error, string description) => Results.Forbid(
        new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }), [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
}
