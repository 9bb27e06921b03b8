using OpenMcpChain.Gateway.Auth;
using OpenMcpChain.Gateway.Cors;
using OpenMcpChain.Gateway.Edge;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms;

namespace Microsoft.Extensions.Hosting;

internal static class Extensions
{
    /// <summary>The public routes and the service each one is forwarded to (found through service discovery).</summary>
    /// <remarks>A route with a policy needs a bearer token with that scope; the proof routes are open to anyone.</remarks>
    private static readonly (string Route, string Path, string Cluster, string[]? Methods, string? ServicePath, string? Policy)[] Routes =
    [
        ("tasks-read", "/api/v1/tasks/{**rest}", "agentservice", ["GET"], null, ScopeNames.TasksRead),
        ("tasks-write", "/api/v1/tasks/{**rest}", "agentservice", ["POST", "PUT", "PATCH", "DELETE"], null, ScopeNames.TasksWrite),
        // Profiles are read here; they are changed only inside (PUT on AgentService).
        ("profiles", "/api/v1/profiles/{**rest}", "agentservice", ["GET"], null, ScopeNames.TasksRead),
        // Proofs are public and read-only: what anyone needs to verify a task. Appends and the whole-log verifier stay inside.
        ("signer", "/api/v1/signer", "proofservice", ["GET"], "/api/signer", null),
        ("attestations", "/api/v1/attestations/{taskId}", "proofservice", ["GET"], "/api/attestations/{taskId}", null),
        ("bundles", "/api/v1/bundles/{taskId}", "proofservice", ["GET"], "/api/bundles/{taskId}", null),
        ("bundles-verify", "/api/v1/bundles/verify", "proofservice", ["POST"], "/api/bundles/verify", null),
        ("anchors", "/api/v1/anchors/{**rest}", "proofservice", ["GET"], "/api/anchors/{**rest}", null),
        ("log-entries", "/api/v1/log/entries/{**rest}", "proofservice", ["GET"], "/api/log/entries/{**rest}", null),
        ("log-tree-head", "/api/v1/log/tree-head", "proofservice", ["GET"], "/api/log/tree-head", null),
        ("log-proofs", "/api/v1/log/proofs/{**rest}", "proofservice", ["GET"], "/api/log/proofs/{**rest}", null),
        // The approval inbox lives on ChainService; the Gateway decides as its caller on behalf of the signed-in user, whom
        // ChainService records as the decider. Withdrawal stays inside (the agent withdraws for a cancelled task).
        ("approvals-read", "/api/v1/approvals/{**rest}", "chainservice", ["GET"], "/api/approvals/{**rest}", ScopeNames.TasksRead),
        ("approvals-approve", "/api/v1/approvals/{id}/approve", "chainservice", ["POST"], "/api/approvals/{id}/approve", ScopeNames.ApprovalsDecide),
        ("approvals-reject", "/api/v1/approvals/{id}/reject", "chainservice", ["POST"], "/api/approvals/{id}/reject", ScopeNames.ApprovalsDecide),
        ("openapi-tasks", "/openapi/tasks.json", "agentservice", ["GET"], "/openapi/v1.json", null),
        // External MCP clients reach ChainService's tools as the Gateway's caller, on behalf of the signed-in user.
        ("mcp", "/mcp/{**rest}", "chainservice", null, null, ScopeNames.ChainTools),
    ];

    /// <summary>
    /// ChainService sees the Gateway's own key, never the client's credentials, and no task headers from outside: a task's
    /// id, submitter and goal are the agent's to name.
    /// </summary>
    private static Dictionary<string, string>[] ChainServiceCaller(string? apiKey) =>
    [
        new() { ["RequestHeader"] = "Authorization", ["Set"] = $"Bearer {apiKey}" },
        new() { ["RequestHeaderRemove"] = "X-Api-Key" },
        new() { ["RequestHeaderRemove"] = "X-Task-Id" },
        new() { ["RequestHeaderRemove"] = "X-Task-Submitter" },
        new() { ["RequestHeaderRemove"] = "X-Task-Goal" },
    ];

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddGatewayCors();
        builder.Services.AddReverseProxy()
            .LoadFromMemory(
                [.. Routes.Select(r => new RouteConfig
                {
                    RouteId = r.Route, ClusterId = r.Cluster, Match = new RouteMatch { Path = r.Path, Methods = r.Methods }, AuthorizationPolicy = r.Policy,
                    Transforms = [
                        .. r.ServicePath is null ? [] : new[] { new Dictionary<string, string> { ["PathPattern"] = r.ServicePath } },
                        .. r.Cluster == "chainservice" ? ChainServiceCaller(builder.Configuration["ChainService:ApiKey"]) : []],
                })],
                [.. Routes.Select(r => r.Cluster).Distinct().Select(c => new ClusterConfig
                {
                    ClusterId = c,
                    Destinations = new Dictionary<string, DestinationConfig> { [c] = new() { Address = $"http://{c}" } },
                })])
            .AddServiceDiscoveryDestinationResolver()
            .AddCodedEmptyErrors()
            // Services learn who asked from the Gateway alone: a caller's own X-Caller header never passes.
            .AddTransforms(context => context.AddRequestTransform(transform =>
            {
                transform.ProxyRequest.Headers.Remove(GatewayAuth.CallerHeader);
                if (transform.HttpContext.User.Identity is { IsAuthenticated: true, Name: { } name })
                    transform.ProxyRequest.Headers.Add(GatewayAuth.CallerHeader, name);
                return ValueTask.CompletedTask;
            }));
        builder.AddGatewayAuth();
        builder.AddEdgeLimits();
    }
}
