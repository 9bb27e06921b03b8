using System.CommandLine;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Cli.Commands;

/// <summary><c>submit "&lt;goal&gt;" [--follow]</c>: hands a task to the agent and, when following, shows its steps as they happen.</summary>
public static class SubmitCommand
{
    public static Command Create()
    {
        var goal = new Argument<string>("goal") { Description = "What the agent should do, in plain words" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Show the steps live and wait for the end; the exit code tells the final status" };
        var noWait = new Option<bool>("--no-wait") { Description = "With --follow: stop (exit 5) when the task waits for approval" };
        var network = new Option<string?>("--network") { Description = "The network to act on (default: the server's)" };
        var profile = new Option<string?>("--profile") { Description = "The agent profile to run with" };
        var command = new Command("submit", "Submit a task") { goal, follow, noWait, network, profile };
        command.SetAction(Cli.Action(async (cli, parse, ct) =>
        {
            var client = await cli.ConnectAsync(ct);
            var task = await client.CreateTaskAsync(new CreateTaskRequest(parse.GetValue(goal), Network: parse.GetValue(network),
                Profile: parse.GetValue(profile)), Guid.NewGuid().ToString(), ct);
            if (!parse.GetValue(follow))
            {
                cli.Print(task, o => o.WriteLine($"Task {task.TaskId} accepted ({task.Status}). Follow it with: openmcp tasks show {task.TaskId}"));
                return ExitCodes.Ok;
            }
            if (!cli.Json) cli.Out.WriteLine($"Task {task.TaskId} accepted.");
            task = await FollowAsync(cli, client, task.TaskId, parse.GetValue(noWait), ct);
            cli.Print(task, o => TaskText.Outcome(o, task));
            return ExitCodes.ForStatus(task.Status);
        }));
        return command;
    }

    /// <summary>
    /// Reads the task's live events until it ends (or parks, with <paramref name="stopWhenParked"/>), printing each one; a
    /// broken stream is resumed after its last event. Returns the task as it then stands.
    /// </summary>
    private static async Task<TaskResponse> FollowAsync(Cli cli, OpenMcpChainClient client, string taskId, bool stopWhenParked, CancellationToken ct)
    {
        string? last = null;
        while (true)
        {
            try
            {
                await foreach (var e in client.StreamTaskEventsAsync(taskId, last, ct))
                {
                    last = e.Id ?? last;
                    if (!cli.Json) TaskText.Progress(cli.Out, e.Data);
                    if (e.Data is not { Type: TaskProgressEvent.StatusChanged, Status: { } status }) continue;
                    if (TaskStatuses.IsFinal(status)) return await client.GetTaskAsync(taskId, ct);
                    if (status != TaskStatuses.AwaitingApproval) continue;
                    var parked = await client.GetTaskAsync(taskId, ct);
                    if (!cli.Json)
                        cli.Out.WriteLine($"  waiting for approval {parked.ApprovalId}: openmcp approvals approve {parked.ApprovalId}");
                    if (stopWhenParked) return parked;
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException && !ct.IsCancellationRequested)
            {
                // The connection broke: go on from the last event.
            }
            var now = await client.GetTaskAsync(taskId, ct);
            if (TaskStatuses.IsFinal(now.Status) || (stopWhenParked && now.Status == TaskStatuses.AwaitingApproval)) return now;
            await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
        }
    }
}
