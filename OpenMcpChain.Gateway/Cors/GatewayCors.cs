using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;

namespace OpenMcpChain.Gateway.Cors;

/// <summary>The browser origins allowed to call the Gateway (<c>Cors:AllowedOrigins</c>), e.g. the original console's Vite dev server.</summary>
public sealed class CorsSettings
{
    public const string SectionName = "Cors";

    /// <summary>Origins as <c>scheme://host[:port]</c> (an entry may hold several, comma-separated); none means no cross-origin calls.</summary>
    public List<string> AllowedOrigins { get; set; } = [];

    public IReadOnlyList<string> Origins =>
        [.. AllowedOrigins.SelectMany(o => o.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries)).Select(o => o.TrimEnd('/')).Distinct()];

    public static bool IsOrigin(string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
        && string.Equals(uri.GetLeftPart(UriPartial.Authority), origin, StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// CORS for the configured origins, answered before authentication: a preflight from an allowed origin gets 204 with
/// the allowed methods and headers; any other origin gets no CORS headers, so its browser keeps the answer from the page.
/// </summary>
public static class GatewayCors
{
    // What a page may read beside the body: where a new task is, when to retry, how to sign in, its MCP session.
    private static readonly string[] Exposed = ["Location", "Retry-After", "WWW-Authenticate", "Mcp-Session-Id"];

    public static void AddGatewayCors(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<CorsSettings>().BindConfiguration(CorsSettings.SectionName)
            // A plain string also works (Cors__AllowedOrigins="http://a,http://b"), which binding to a list ignores.
            .PostConfigure<IConfiguration>((settings, config) =>
            {
                if (config[$"{CorsSettings.SectionName}:AllowedOrigins"] is { Length: > 0 } list) settings.AllowedOrigins.Add(list);
            })
            .Validate(s => s.Origins.All(CorsSettings.IsOrigin), "Cors:AllowedOrigins: each origin is scheme://host[:port] (http or https, no path).")
            .ValidateOnStart();
        builder.Services.AddCors();
        builder.Services.AddOptions<CorsOptions>().Configure<IOptions<CorsSettings>>((cors, settings) =>
            cors.AddDefaultPolicy(policy => policy.WithOrigins([.. settings.Value.Origins])
                .AllowAnyMethod().AllowAnyHeader().WithExposedHeaders(Exposed).SetPreflightMaxAge(TimeSpan.FromMinutes(10))));
    }
}
