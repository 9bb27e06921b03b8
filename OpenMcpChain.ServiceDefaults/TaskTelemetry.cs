using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;

namespace OpenMcpChain.ServiceDefaults;

/// <summary>
/// Names shared by every service's telemetry, and the task a request works for: AgentService puts the task id in the
/// trace's baggage (REST callers of ChainService may send <c>X-Task-Id</c>), so each service's span is tagged with it and its
/// logs carry it as the <c>TaskId</c> scope — the dashboard's structured logs then filter by task.
/// </summary>
public static class TaskTelemetry
{
    public const string TaskIdTag = "openmcpchain.task_id";
    public const string ProfileTag = "openmcpchain.profile";
    public const string ToolTag = "openmcpchain.tool";
    public const string DecisionTag = "openmcpchain.policy_decision";
    public const string TaskIdHeader = "X-Task-Id";

    /// <summary>Marks the current span as working for <paramref name="taskId"/>; calls made under it carry the id on as baggage.</summary>
    public static void Mark(Activity? activity, string taskId)
    {
        activity?.SetTag(TaskIdTag, taskId);
        activity?.SetBaggage(TaskIdTag, taskId);
        Baggage.SetBaggage(TaskIdTag, taskId);
    }

    /// <summary>The task id a request arrived with (baggage or header), if any.</summary>
    public static string? TaskIdOf(HttpContext context)
    {
        var id = Baggage.GetBaggage(TaskIdTag) ?? Activity.Current?.GetBaggageItem(TaskIdTag)
                 ?? context.Request.Headers[TaskIdHeader].ToString();
        return id is { Length: > 0 and <= 64 } ? id : null;
    }

    /// <summary>Tags the request's span and opens a log scope with the task id of a request that works for a task.</summary>
    public static IApplicationBuilder UseTaskScope(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("OpenMcpChain.Tasks");
        return app.Use(async (context, next) =>
        {
            if (TaskIdOf(context) is not { } taskId)
            {
                await next(context);
                return;
            }
            Activity.Current?.SetTag(TaskIdTag, taskId);
            using (logger.BeginScope(new Dictionary<string, object> { ["TaskId"] = taskId }))
                await next(context);
        });
    }
}
