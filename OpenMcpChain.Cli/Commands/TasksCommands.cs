using System.CommandLine;
using System.Globalization;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Cli.Commands;

/// <summary><c>tasks list|show|steps|cancel</c>.</summary>
public static class TasksCommands
{
    public static Command Create() => new("tasks", "Read and cancel tasks") { List(), Show(), Steps(), Cancel() };

    private static Command List()
    {
        var status = new Option<string[]>("--status", "-s") { Description = "Only tasks in these statuses (repeat it or separate with commas)" };
        var limit = new Option<int?>("--limit", "-n") { Description = "How many (1-100, default 20)" };
        var offset = new Option<int?>("--offset") { Description = "How many to skip" };
        var command = new Command("list", "List tasks, most recently updated first") { status, limit, offset };
        command.SetAction(Cli.Action(async (cli, parse, ct) =>
        {
            var query = QueryString.Of(("status", string.Join(',', parse.GetValue(status) ?? [])),
                ("limit", parse.GetValue(limit)?.ToString(CultureInfo.InvariantCulture)), ("offset", parse.GetValue(offset)?.ToString(CultureInfo.InvariantCulture)));
            var page = await (await cli.ConnectAsync(ct)).ListTasksAsync(query, ct);
            cli.Print(page, o =>
            {
                o.WriteLine($"{"ID",-36}  {"STATUS",-17}  {"UPDATED",-19}  GOAL");
                foreach (var t in page.Tasks)
                    o.WriteLine($"{t.TaskId,-36}  {t.Status,-17}  {TaskText.Time(t.UpdatedAt),-19}  {TaskText.Clip(t.Goal, 60)}");
                o.WriteLine(TaskText.PageFooter(page.Tasks.Count, page.Total, page.NextOffset));
            });
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Show() => Cli.ById("show", "Show a task, its result and its provenance", "The task id",
        (client, id, ct) => client.GetTaskAsync(id, ct), TaskText.Details);

    private static Command Steps() => Cli.ById("steps", "Show a task's recorded steps: model turns and tool calls, with tokens and durations",
        "The task id", (client, id, ct) => client.GetStepsAsync(id, ct), (o, steps) =>
        {
            o.WriteLine($"{"#",-4} {"TRY",-3} {"KIND",-10} {"NAME",-24} {"OUTCOME",-24} {"MS",6} {"TOKENS",-11} LOG");
            foreach (var s in steps)
                o.WriteLine($"{s.Seq,-4} {s.Attempt,-3} {s.Kind,-10} {TaskText.Clip(s.Name, 24),-24} "
                            + $"{TaskText.Clip(TaskText.Outcome(s.IsError, s.ErrorCode, s.PolicyDecision), 24),-24} {s.DurationMs,6} "
                            + $"{$"{s.InputTokens}/{s.OutputTokens}",-11} {s.LogIndex}");
            o.WriteLine($"{steps.Count} steps");
        });

    private static Command Cancel() => Cli.ById("cancel", "Cancel a task (a parked write is withdrawn; a running task stops at its next step)",
        "The task id", (client, id, ct) => client.CancelTaskAsync(id, ct), (o, task) => o.WriteLine(task.Status == TaskStatuses.Cancelled
            ? $"Task {task.TaskId} cancelled."
            : $"Task {task.TaskId} is {task.Status}; it stops at its next step."));
}
