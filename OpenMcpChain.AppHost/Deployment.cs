using System.Text.RegularExpressions;

// The probe API is marked for evaluation; it is what carries health probes through the manifest to Container Apps.
#pragma warning disable ASPIREPROBES001

namespace OpenMcpChain.AppHost;

/// <summary>
/// What a deployment (the manifest azd reads: <c>--publisher manifest</c>) differs in from a local run: the probes Azure
/// Container Apps keeps its replicas healthy by, and secrets as parameters it asks for (the chain it targets: Chains.cs).
/// </summary>
internal static partial class Deployment
{
    /// <summary>
    /// The service's health: locally the dashboard's check of <c>/health</c>; in a deployment the probes Container Apps
    /// acts on, ready (<paramref name="readinessPath"/>: every dependency answers) before it gets traffic and restarted
    /// when not alive (<paramref name="livenessPath"/>: the process answers; ServiceDefaults maps <c>/health</c> and
    /// <c>/alive</c>). Each probe brings its own health check, so one path serves one probe.
    /// </summary>
    public static IResourceBuilder<T> WithHealthProbes<T>(
        this IResourceBuilder<T> service, string? readinessPath = "/health", string livenessPath = "/alive")
        where T : IResourceWithEndpoints, IResourceWithProbes
    {
        if (!service.ApplicationBuilder.ExecutionContext.IsPublishMode)
            return service.WithHttpHealthCheck(readinessPath ?? livenessPath);
        if (readinessPath is not null)
            service.WithHttpProbe(ProbeType.Readiness, readinessPath);
        return service.WithHttpProbe(ProbeType.Liveness, livenessPath);
    }

    /// <summary>
    /// A setting whose value must never be written out in plain text (a password, a client secret, a key): a secret
    /// parameter. Locally it has the configured value; a deployment asks for it (azd prompts, or reads its environment).
    /// </summary>
    public static IResourceBuilder<ParameterResource> AddSecretSetting(this IDistributedApplicationBuilder builder, string path, string value)
    {
        var name = NonNameCharacters().Replace(path.ToLowerInvariant(), "-").Trim('-');
        return builder.AddParameter(name, value, publishValueAsDefault: false, secret: true);
    }

    /// <summary>Whether a configuration key names a secret: a password (or its hash), a secret, or a key.</summary>
    public static bool IsSecretKey(string key)
    {
        var leaf = key[(key.LastIndexOf(':') + 1)..];
        return leaf.Contains("password", StringComparison.OrdinalIgnoreCase)
            || leaf.Contains("secret", StringComparison.OrdinalIgnoreCase)
            || leaf.EndsWith("key", StringComparison.OrdinalIgnoreCase);
    }

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NonNameCharacters();
}
