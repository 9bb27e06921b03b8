using OpenMcpChain.Gateway.Auth;
using OpenMcpChain.Gateway.Cors;
using OpenMcpChain.Gateway.Edge;
using OpenMcpChain.Gateway.Grpc;
using OpenMcpChain.Gateway.OpenApi;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms;

namespace Microsoft.Extensions.Hosting;

internal static class Extensions
{
    /// <summary>
    /// ChainService sees the Gateway's own key, never the client's credentials (nor task headers from outside: the edge
    /// drops those, <see cref="TaskContextHeaders"/>).
    /// </summary>
    private static Dictionary<string, string>[] ChainServiceCaller(string? apiKey) =>
    [
        new() { ["RequestHeader"] = "Authorization", ["Set"] = $"Bearer {apiKey}" },
        new() { ["RequestHeaderRemove"] = "X-Api-Key" },
    ];

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddGatewayCors();
        builder.Services.AddReverseProxy()
            .LoadFromMemory(
                [.. PublicRoutes.All.Select(r => new RouteConfig
                {
                    RouteId = r.Id, ClusterId = r.Cluster, Match = new RouteMatch { Path = r.Path, Methods = r.Methods }, AuthorizationPolicy = r.Policy,
                    Transforms = [
                        .. r.ServicePath is null ? [] : new[] { new Dictionary<string, string> { ["PathPattern"] = r.ServicePath } },
                        .. r.Cluster == "chainservice" ? ChainServiceCaller(builder.Configuration["ChainService:ApiKey"]) : []],
                })],
                [.. PublicRoutes.All.Select(r => r.Cluster).Distinct().Select(c => new ClusterConfig
                {
                    ClusterId = c,
                    Destinations = new Dictionary<string, DestinationConfig> { [c] = new() { Address = $"http://{c}" } },
                })])
            .AddServiceDiscoveryDestinationResolver()
            .AddCodedEmptyErrors()
            // Services learn who asked from the Gateway alone: a caller's own X-Caller header never passes, nor the gRPC bridge's.
            .AddTransforms(context => context.AddRequestTransform(transform =>
            {
                transform.ProxyRequest.Headers.Remove(GatewayAuth.CallerHeader);
                transform.ProxyRequest.Headers.Remove(RestBridge.CallerAddressHeader);
                if (transform.HttpContext.User.Identity is { IsAuthenticated: true, Name: { } name })
                    transform.ProxyRequest.Headers.Add(GatewayAuth.CallerHeader, name);
                return ValueTask.CompletedTask;
            }));
        builder.AddGatewayAuth();
        builder.AddEdgeLimits();
        builder.AddApiReference();
    }
}
