using OpenMcpChain.Gateway.Auth;

namespace OpenMcpChain.Gateway.Edge;

/// <summary>A public route: the path and methods the Gateway answers, the service it forwards to, and the scope it needs.</summary>
/// <param name="ServicePath">The path at the service when it differs from <paramref name="Path"/>.</param>
/// <param name="Policy">The scope a bearer token must hold; null when the route is open to anyone.</param>
public sealed record PublicRoute(string Id, string Path, string Cluster, string[]? Methods, string? ServicePath, string? Policy);

/// <summary>
/// The one table of what the Gateway forwards: YARP is configured from it and the API reference is cut from it, so
/// the reference cannot document a route the Gateway does not answer.
/// </summary>
public static class PublicRoutes
{
    /// <remarks>A route with a policy needs a bearer token with that scope; the proof routes are open to anyone.</remarks>
    public static readonly PublicRoute[] All =
    [
        new("tasks-read", "/api/v1/tasks/{**rest}", "agentservice", ["GET"], null, ScopeNames.TasksRead),
        new("tasks-write", "/api/v1/tasks/{**rest}", "agentservice", ["POST", "PUT", "PATCH", "DELETE"], null, ScopeNames.TasksWrite),
        // Profiles are read here; they are changed only inside (PUT on AgentService).
        new("profiles", "/api/v1/profiles/{**rest}", "agentservice", ["GET"], null, ScopeNames.TasksRead),
        // Proofs are public and read-only: what anyone needs to verify a task. Appends and the whole-log verifier stay inside.
        new("signer", "/api/v1/signer", "proofservice", ["GET"], "/api/signer", null),
        new("attestations", "/api/v1/attestations/{taskId}", "proofservice", ["GET"], "/api/attestations/{taskId}", null),
        new("bundles", "/api/v1/bundles/{taskId}", "proofservice", ["GET"], "/api/bundles/{taskId}", null),
        new("bundles-verify", "/api/v1/bundles/verify", "proofservice", ["POST"], "/api/bundles/verify", null),
        new("anchors", "/api/v1/anchors/{**rest}", "proofservice", ["GET"], "/api/anchors/{**rest}", null),
        new("log-entries", "/api/v1/log/entries/{**rest}", "proofservice", ["GET"], "/api/log/entries/{**rest}", null),
        new("log-tree-head", "/api/v1/log/tree-head", "proofservice", ["GET"], "/api/log/tree-head", null),
        new("log-proofs", "/api/v1/log/proofs/{**rest}", "proofservice", ["GET"], "/api/log/proofs/{**rest}", null),
        // The approval inbox lives on ChainService; the Gateway decides as its caller on behalf of the signed-in user, whom
        // ChainService records as the decider. Withdrawal stays inside (the agent withdraws for a cancelled task).
        new("approvals-read", "/api/v1/approvals/{**rest}", "chainservice", ["GET"], "/api/approvals/{**rest}", ScopeNames.TasksRead),
        new("approvals-approve", "/api/v1/approvals/{id}/approve", "chainservice", ["POST"], "/api/approvals/{id}/approve", ScopeNames.ApprovalsDecide),
        new("approvals-reject", "/api/v1/approvals/{id}/reject", "chainservice", ["POST"], "/api/approvals/{id}/reject", ScopeNames.ApprovalsDecide),
        // External MCP clients reach ChainService's tools as the Gateway's caller, on behalf of the signed-in user.
        new("mcp", "/mcp/{**rest}", "chainservice", null, null, ScopeNames.ChainTools),
    ];

    /// <summary>
    /// The public path of a service's <paramref name="servicePath"/> (an OpenAPI path template such as
    /// <c>/api/log/entries/{index}</c>) and the route that forwards <paramref name="method"/> there; null when none does.
    /// </summary>
    public static (string Path, PublicRoute Route)? ToPublic(string cluster, string method, string servicePath)
    {
        foreach (var route in All)
        {
            if (route.Cluster != cluster || route.Methods?.Contains(method, StringComparer.OrdinalIgnoreCase) == false) continue;
            if (Match(route.ServicePath ?? route.Path, servicePath) is { } values) return (Fill(route.Path, values), route);
        }
        return null;
    }

    /// <summary>The values of a route template's parameters in <paramref name="path"/>; a catch-all takes the rest, even nothing.</summary>
    private static Dictionary<string, string>? Match(string template, string path)
    {
        var expected = Segments(template);
        var actual = Segments(path);
        var values = new Dictionary<string, string>();
        for (var i = 0; i < expected.Length; i++)
        {
            if (expected[i].StartsWith("{**", StringComparison.Ordinal))
            {
                values[expected[i]] = string.Join('/', actual.Skip(i));
                return values;
            }
            if (i >= actual.Length) return null;
            if (expected[i].StartsWith('{')) values[expected[i]] = actual[i];
            else if (!string.Equals(expected[i], actual[i], StringComparison.OrdinalIgnoreCase)) return null;
        }
        return actual.Length == expected.Length ? values : null;
    }

    private static string Fill(string template, Dictionary<string, string> values) =>
        "/" + string.Join('/', Segments(template).Select(s => values.GetValueOrDefault(s, s)).Where(s => s.Length > 0));

    private static string[] Segments(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);
}
