using Microsoft.Net.Http.Headers;

namespace OpenMcpChain.Gateway.WebConsole;

/// <summary>
/// The web console: plain HTML, CSS and ES modules under <c>wwwroot</c>, served at <c>/</c> on the API's own origin (so
/// it needs no CORS and its OAuth redirect returns to the Gateway). Routing inside the console is by URL fragment
/// (<c>#/tasks/…</c>), so no server route exists for its views and any other path keeps its coded 404.
/// </summary>
public static class ConsoleFiles
{
    /// <summary>
    /// Only the console's own scripts, styles and API calls; nothing inline, no framing, no referrer (the sign-in returns
    /// with a code in the URL).
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>Serves <c>/</c> (index.html) and the console's assets, each with the console's security headers.</summary>
    public static WebApplication UseConsole(this WebApplication app)
    {
        app.UseDefaultFiles();
        app.UseStaticFiles(new StaticFileOptions
        {
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                headers["Cross-Origin-Opener-Policy"] = "same-origin";
                // The page and its modules change with each build: revalidate instead of serving a stale console.
                headers[HeaderNames.CacheControl] = "no-cache";
            },
        });
        // Routing after the files: otherwise the API's catch-all 404 would be chosen for them first.
        app.UseRouting();
        return app;
    }
}
