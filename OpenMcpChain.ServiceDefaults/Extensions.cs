using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>What every OpenMCP-Chain service needs: telemetry, health, service discovery, resilience, API errors.</summary>
public static class Extensions
{
    private const string HealthEndpointPath = "/health";
    private const string AlivenessEndpointPath = "/alive";
    private const string MetricsEndpointPath = "/metrics";
    /// <summary>Whether the service answers <c>/metrics</c> (default: yes, but not on a public edge).</summary>
    public const string ServeMetricsKey = "Telemetry:ServeMetrics";

    /// <summary>
    /// The frameworks' per-request and per-statement lines (ASP.NET Core's request and result lines, every HttpClient call
    /// four times, every SQL statement, YARP's and Polly's per-call lines) at Information cost more CPU than a task's own
    /// work and bury the service's own log. They are Warning by default; configuration (appsettings, environment,
    /// <c>Logging__LogLevel__Microsoft.EntityFrameworkCore=Information</c>) still turns any of them back on.
    /// </summary>
    private static readonly Dictionary<string, string?> QuietFrameworks = new()
    {
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Warning",
        ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Warning",
        ["Logging:LogLevel:Yarp"] = "Warning",
        ["Logging:LogLevel:Polly"] = "Warning",
        ["Logging:LogLevel:ModelContextProtocol"] = "Warning",
    };

    /// <summary>
    /// The defaults every service shares. A public edge passes <paramref name="publicEdge"/>: it decides itself whether a
    /// request is traced (see <see cref="ConfigureOpenTelemetry"/>).
    /// </summary>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder, bool publicEdge = false) where TBuilder : IHostApplicationBuilder
    {
        // First among the sources: every other one (appsettings, environment, command line) overrides these defaults.
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = QuietFrameworks });
        builder.ConfigureOpenTelemetry(publicEdge);
        builder.AddDefaultHealthChecks();
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        builder.AddApiErrors();
        // Behind the Gateway a service must take what the Gateway lets through (8 KiB URLs, 32 KiB and 100 headers, plus
        // the ones it adds); else Kestrel's own 414/431, empty-bodied and before any middleware, would reach the caller.
        builder.Services.Configure<KestrelServerOptions>(kestrel =>
        {
            kestrel.Limits.MaxRequestLineSize = 64 * 1024;
            kestrel.Limits.MaxRequestHeadersTotalSize = 64 * 1024;
            kestrel.Limits.MaxRequestHeaderCount = 200;
        });
        return builder;
    }

    /// <summary>
    /// Logs, metrics and traces over OTLP. A span with a parent follows its parent's sampling decision: inside the system
    /// a poller's untraced call stays untraced in the service it calls (<see cref="QuietWhenIdleSampler"/>). A public edge
    /// (<paramref name="publicEdge"/>) still joins a caller's trace, but a caller cannot switch the system's tracing off:
    /// a request whose traceparent says "not sampled" is decided as if it came with none (a task is always traced).
    /// </summary>
    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder, bool publicEdge = false) where TBuilder : IHostApplicationBuilder
    {
        var root = new OpenMcpChain.ServiceDefaults.QuietWhenIdleSampler();
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter("Experimental.Microsoft.Extensions.AI")
                .AddMeter("OpenMcpChain.*")
                .AddPrometheusExporter())
            .WithTracing(tracing => tracing
                .SetSampler(publicEdge ? new ParentBasedSampler(root, remoteParentNotSampled: root) : new ParentBasedSampler(root))
                .AddSource(builder.Environment.ApplicationName)
                .AddSource("Experimental.Microsoft.Extensions.AI")
                .AddSource("Experimental.ModelContextProtocol")
                .AddSource("OpenMcpChain.*")
                .AddAspNetCoreInstrumentation(o =>
                    // Probes would drown the traces that matter.
                    o.Filter = ctx => !ctx.Request.Path.StartsWithSegments(HealthEndpointPath)
                                      && !ctx.Request.Path.StartsWithSegments(AlivenessEndpointPath)
                                      && !ctx.Request.Path.StartsWithSegments(MetricsEndpointPath))
                .AddHttpClientInstrumentation(o => o.EnrichWithHttpRequestMessage = (activity, request) =>
                {
                    // A call that leaves the system (a chain's RPC provider, a model provider) is recorded by its origin
                    // only: providers put the API key in the URL's path (…/v3/<key>), and a trace is no place for it.
                    if (request.RequestUri is { } uri && LeavesTheSystem(uri))
                        activity.SetTag("url.full", uri.GetLeftPart(UriPartial.Authority) + "/");
                }));

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }
        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        return builder;
    }

    /// <summary>
    /// An address outside the application: not loopback, not a service's own name (a single label such as
    /// <c>chainservice</c>, as service discovery and Container Apps name them).
    /// </summary>
    private static bool LeavesTheSystem(Uri uri) =>
        !uri.IsLoopback && uri.HostNameType == UriHostNameType.Dns && uri.Host.Contains('.')
        && !uri.Host.Contains(".internal.", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Maps <c>/health</c> (ready: every check passes), <c>/alive</c> (the process answers) and <c>/metrics</c>
    /// (Prometheus text). A public edge passes <paramref name="publicEdge"/>: its metrics are served only when
    /// <c>Telemetry:ServeMetrics</c> is set true.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app, bool publicEdge = false)
    {
        app.UseApiErrors();
        OpenMcpChain.ServiceDefaults.TaskTelemetry.UseTaskScope(app);
        app.MapHealthChecks(HealthEndpointPath);
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions { Predicate = r => r.Tags.Contains("live") });
        // Prometheus-compatible metrics (the same OpenMcpChain.* instruments the dashboard shows over OTLP).
        if (app.Configuration.GetValue(ServeMetricsKey, !publicEdge))
            app.MapPrometheusScrapingEndpoint(MetricsEndpointPath);
        return app;
    }
}
