using Yarp.ReverseProxy.Configuration;

namespace Microsoft.Extensions.Hosting;

internal static class Extensions
{
    /// <summary>The public routes and the service each one is forwarded to (found through service discovery).</summary>
    private static readonly (string Route, string Path, string Cluster, string[]? Methods)[] Routes =
    [
        ("tasks", "/api/v1/tasks/{**rest}", "agentservice", null),
        // Profiles are read publicly; they are changed only inside (PUT on AgentService) until the Gateway authenticates.
        ("profiles", "/api/v1/profiles/{**rest}", "agentservice", ["GET"]),
    ];

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddReverseProxy()
            .LoadFromMemory(
                [.. Routes.Select(r => new RouteConfig { RouteId = r.Route, ClusterId = r.Cluster, Match = new RouteMatch { Path = r.Path, Methods = r.Methods } })],
                [.. Routes.Select(r => r.Cluster).Distinct().Select(c => new ClusterConfig
                {
                    ClusterId = c,
                    Destinations = new Dictionary<string, DestinationConfig> { [c] = new() { Address = $"http://{c}" } },
                })])
            .AddServiceDiscoveryDestinationResolver();
    }
}
