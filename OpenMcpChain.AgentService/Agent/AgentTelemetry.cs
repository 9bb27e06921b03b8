using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OpenMcpChain.AgentService.Agent;

/// <summary>The agent's spans (a task's run, its model turns and tool calls) and metrics, under <c>OpenMcpChain.AgentService</c>.</summary>
public static class AgentTelemetry
{
    public const string Name = "OpenMcpChain.AgentService";
    public static readonly ActivitySource Source = new(Name);
    private static readonly Meter Meter = new(Name);

    public static readonly Counter<long> Tasks = Meter.CreateCounter<long>("openmcpchain.tasks", "{task}", "Tasks that reached a final or waiting status, by status and profile.");
    public static readonly Histogram<double> TaskDuration = Meter.CreateHistogram<double>("openmcpchain.task.duration", "s", "How long a task's run took, by status and profile.");
    public static readonly Counter<long> ModelTurns = Meter.CreateCounter<long>("openmcpchain.model.turns", "{turn}", "Model turns, by model.");
    public static readonly Counter<long> Tokens = Meter.CreateCounter<long>("openmcpchain.model.tokens", "{token}", "Model tokens, by model and direction (input, output).");
    public static readonly Counter<long> ModelTurnsSaved = Meter.CreateCounter<long>("openmcpchain.model.turns_saved", "{turn}",
        "Recorded model turns a later attempt continued from instead of asking the model again, by model.");
    public static readonly Counter<long> TokensSaved = Meter.CreateCounter<long>("openmcpchain.model.tokens_saved", "{token}",
        "Tokens of the recorded model turns a later attempt did not pay for again, by model and direction (input, output).");
    public static readonly Counter<long> ToolCalls = Meter.CreateCounter<long>("openmcpchain.tool.calls", "{call}", "Tool calls, by tool and policy decision.");

    /// <summary>A span for one step of a task's run (a model turn, a tool call), tagged with the task and its profile.</summary>
    public static Activity? StartStep(string name, TaskRun run)
    {
        var activity = Source.StartActivity(name);
        activity?.SetTag(OpenMcpChain.ServiceDefaults.TaskTelemetry.TaskIdTag, run.TaskId);
        activity?.SetTag(OpenMcpChain.ServiceDefaults.TaskTelemetry.ProfileTag, run.Profile);
        return activity;
    }

    /// <summary>Counts a run's outcome; <paramref name="status"/> is the status the run left the task in.</summary>
    public static void RunEnded(string status, string? profile, TimeSpan elapsed)
    {
        var tags = new TagList { { "status", status }, { "profile", profile ?? Infrastructure.AgentProfile.Default } };
        Tasks.Add(1, tags);
        TaskDuration.Record(elapsed.TotalSeconds, tags);
    }
}
