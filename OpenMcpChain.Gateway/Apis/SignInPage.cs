using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using OpenMcpChain.Gateway.Auth;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// The sign-in page of the authorization code flow (<c>/account/signin</c>): a small server-rendered form; a right
/// password (under the same lockout as the token endpoint) sets the sign-in cookie and returns to the authorization request.
/// </summary>
public static class SignInPage
{
    public static IEndpointRouteBuilder MapSignInPage(this IEndpointRouteBuilder app)
    {
        app.MapGet(AuthPaths.SignIn, (HttpContext http, IAntiforgery antiforgery, string? returnUrl) =>
            Page(http, antiforgery, ReturnUrlOrNull(returnUrl), null, StatusCodes.Status200OK)).AllowAnonymous()
            .WithName("SignInPage").WithTags("Auth").WithSummary("The sign-in page (HTML)")
            .WithDescription("Where the authorization endpoint sends a user who is not signed in; a page for people, not for programs.")
            .Produces(200, contentType: "text/html");
        app.MapPost(AuthPaths.SignIn, SignInAsync).AllowAnonymous().WithName("SignIn").WithTags("Auth").WithSummary("Sign in (the page's form)")
            .WithDescription("The sign-in form's post (with its antiforgery token): a right password sets the sign-in cookie and returns to " +
                             "the authorization request. Errors are shown on the page: 400 (the form expired), 401 (wrong password), " +
                             "429 (locked for a while after repeated failures).")
            .Produces(302).Produces(400, contentType: "text/html").Produces(401, contentType: "text/html").Produces(429, contentType: "text/html");
        return app;
    }

    private static async Task<IResult> SignInAsync(HttpContext http, IAntiforgery antiforgery, PasswordSignIn passwords)
    {
        IFormCollection form;
        try
        {
            form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync() : FormCollection.Empty;
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException or IOException)
        {
            form = FormCollection.Empty;
        }
        var returnUrl = ReturnUrlOrNull(form["ReturnUrl"]);
        if (form.Count == 0 || !await antiforgery.IsRequestValidAsync(http))
            return Page(http, antiforgery, returnUrl, "The form expired; please sign in again.", StatusCodes.Status400BadRequest);
        var outcome = await passwords.CheckAsync(form["username"].ToString(), form["password"].ToString(), http.Connection.RemoteIpAddress);
        if (outcome.RetryAfter is not null)
        {
            http.Response.Headers.RetryAfter = outcome.RetryAfterSeconds.ToString();
            return Page(http, antiforgery, returnUrl, $"Too many failed sign-ins; try again in {outcome.RetryAfterSeconds} s.", StatusCodes.Status429TooManyRequests);
        }
        if (outcome.User is null)
            return Page(http, antiforgery, returnUrl, "The username or password is wrong.", StatusCodes.Status401Unauthorized);
        var identity = new ClaimsIdentity(AuthorizationServer.SignInScheme, ClaimTypes.Name, ClaimTypes.Role);
        identity.AddClaim(new Claim(ClaimTypes.Name, outcome.User));
        await http.SignInAsync(AuthorizationServer.SignInScheme, new ClaimsPrincipal(identity));
        return returnUrl is null
            ? Results.Content(Html("Signed in", "<p>You are signed in. Return to the application that sent you here.</p>"), "text/html; charset=utf-8")
            : Results.Redirect(returnUrl);
    }

    /// <summary>Only an authorization request of this server is a place to return to (no open redirect).</summary>
    private static string? ReturnUrlOrNull(string? url) =>
        url is not null && (url == AuthPaths.Authorize || url.StartsWith(AuthPaths.Authorize + "?", StringComparison.Ordinal)) ? url : null;

    private static IResult Page(HttpContext http, IAntiforgery antiforgery, string? returnUrl, string? error, int status)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        var e = HtmlEncoder.Default;
        var body = $"""
            <h1>Sign in to OpenMCP-Chain</h1>
            {(error is null ? "" : $"<p role=\"alert\" class=\"error\">{e.Encode(error)}</p>")}
            <form method="post" action="{AuthPaths.SignIn}">
              <input type="hidden" name="{e.Encode(tokens.FormFieldName)}" value="{e.Encode(tokens.RequestToken ?? "")}">
              <input type="hidden" name="ReturnUrl" value="{e.Encode(returnUrl ?? "")}">
              <label>Username <input name="username" autocomplete="username" required autofocus></label>
              <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
              <button type="submit">Sign in</button>
            </form>
            """;
        http.Response.Headers.CacheControl = "no-store";
        return Results.Content(Html("Sign in", body), "text/html; charset=utf-8", statusCode: status);
    }

    private const string Style =
        "body{font-family:system-ui,sans-serif;max-width:24rem;margin:4rem auto;padding:0 1rem}label{display:block;margin:.8rem 0}" +
        "input{display:block;width:100%;padding:.4rem;box-sizing:border-box}button{padding:.5rem 1.2rem}.error{color:#b00020}";

    private static string Html(string title, string body) => $"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{title} · OpenMCP-Chain</title><style>{Style}</style>
        </head><body>{body}</body></html>
        """;
}
