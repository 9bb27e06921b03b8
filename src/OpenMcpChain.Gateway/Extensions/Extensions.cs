using Yarp.ReverseProxy.Configuration;

namespace Microsoft.Extensions.Hosting;

internal static class Extensions
{
    /// <summary>The public routes and the service each one is forwarded to (found through service discovery).</summary>
    private static readonly (string Route, string Path, string Cluster, string[]? Methods, string? ServicePath)[] Routes =
    [
        ("tasks", "/api/v1/tasks/{**rest}", "agentservice", null, null),
        // Profiles are read publicly; they are changed only inside (PUT on AgentService) until the Gateway authenticates.
        ("profiles", "/api/v1/profiles/{**rest}", "agentservice", ["GET"], null),
        // Proofs are public and read-only: what anyone needs to verify a task. Appends and the whole-log verifier stay inside.
        ("signer", "/api/v1/signer", "proofservice", ["GET"], "/api/signer"),
        ("attestations", "/api/v1/attestations/{taskId}", "proofservice", ["GET"], "/api/attestations/{taskId}"),
        ("bundles", "/api/v1/bundles/{taskId}", "proofservice", ["GET"], "/api/bundles/{taskId}"),
        ("bundles-verify", "/api/v1/bundles/verify", "proofservice", ["POST"], "/api/bundles/verify"),
        ("anchors", "/api/v1/anchors/{**rest}", "proofservice", ["GET"], "/api/anchors/{**rest}"),
        ("log-entries", "/api/v1/log/entries/{**rest}", "proofservice", ["GET"], "/api/log/entries/{**rest}"),
        ("log-tree-head", "/api/v1/log/tree-head", "proofservice", ["GET"], "/api/log/tree-head"),
        ("log-proofs", "/api/v1/log/proofs/{**rest}", "proofservice", ["GET"], "/api/log/proofs/{**rest}"),
    ];

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddReverseProxy()
            .LoadFromMemory(
                [.. Routes.Select(r => new RouteConfig
                {
                    RouteId = r.Route, ClusterId = r.Cluster, Match = new RouteMatch { Path = r.Path, Methods = r.Methods },
                    Transforms = r.ServicePath is null ? null : [new Dictionary<string, string> { ["PathPattern"] = r.ServicePath }],
                })],
                [.. Routes.Select(r => r.Cluster).Distinct().Select(c => new ClusterConfig
                {
                    ClusterId = c,
                    Destinations = new Dictionary<string, DestinationConfig> { [c] = new() { Address = $"http://{c}" } },
                })])
            .AddServiceDiscoveryDestinationResolver();
    }
}
