using System.Diagnostics;
using OpenTelemetry;

namespace OpenMcpChain.Gateway.Edge;

/// <summary>
/// A public caller names no task: the task headers ChainService takes from a direct caller (<c>X-Task-Id</c>, its
/// submitter and goal; the agent names them in each MCP call's <c>_meta</c>, which ChainService never takes from the
/// Gateway, a caller that relays users) and the trace baggage that carries the task id and profile (TaskTelemetry) are dropped at the edge, before
/// the Gateway's own logs or anything it forwards (REST or the gRPC bridge) could take them for the system's own.
/// The trace context itself (traceparent) still joins a caller's trace.
/// </summary>
public static class TaskContextHeaders
{
    private static readonly string[] Dropped = ["X-Task-Id", "X-Task-Submitter", "X-Task-Goal", "baggage", "Correlation-Context"];

    public static WebApplication UseNoTaskContextFromCallers(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            foreach (var name in Dropped) context.Request.Headers.Remove(name);
            // The request's span took the baggage from the header before any middleware ran.
            Baggage.Current = default;
            if (Activity.Current is { } activity)
                foreach (var (key, _) in activity.Baggage.ToList()) activity.SetBaggage(key, null);
            return next(context);
        });
        return app;
    }
}
