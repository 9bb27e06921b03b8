using Microsoft.Extensions.Configuration;

namespace OpenMcpChain.AppHost;

/// <summary>The browser origins the Gateway answers CORS for.</summary>
internal static class GatewayOrigins
{
    /// <summary>The original console's Vite servers on this machine: <c>npm run dev</c> (5173) and <c>npm run preview</c> (4173).</summary>
    public static readonly string[] DevDefaults =
        ["http://localhost:5173", "http://127.0.0.1:5173", "http://localhost:4173", "http://127.0.0.1:4173"];

    /// <summary>
    /// Passes <c>Gateway:Cors:AllowedOrigins</c> (a list, or one comma-separated string) to the Gateway as
    /// <c>Cors__AllowedOrigins__*</c>; unset, a local run allows <see cref="DevDefaults"/> and a published one no origin.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithCorsOrigins(this IResourceBuilder<ProjectResource> gateway)
    {
        var section = gateway.ApplicationBuilder.Configuration.GetSection("Gateway:Cors:AllowedOrigins");
        string[] configured = [.. section.GetChildren().Select(c => c.Value).Append(section.Value).OfType<string>()
            .SelectMany(v => v.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries))];
        var origins = configured.Length > 0 || gateway.ApplicationBuilder.ExecutionContext.IsPublishMode ? configured : DevDefaults;
        foreach (var (origin, i) in origins.Select((o, i) => (o, i)))
            gateway.WithEnvironment($"Cors__AllowedOrigins__{i}", origin);
        return gateway;
    }
}
