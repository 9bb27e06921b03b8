using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using OpenMcpChain.AgentService.Agent;
using OpenMcpChain.AgentService.Infrastructure;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;
using OpenMcpChain.ServiceDefaults;

namespace OpenMcpChain.AgentService.Queue;

/// <summary>Moves one task through its states around a run of the agent; every transition is committed before the message is acknowledged.</summary>
public sealed class TaskProcessor(AgentDbContext db, AgentRunner runner, TaskTransitions transitions, ILogger<TaskProcessor> logger)
{
    private static readonly string[] Running = [TaskStatuses.Running];

    public async Task ProcessAsync(QueuedTask message, CancellationToken stopping)
    {
        if (!await TryClaimAsync(message))
        {
            logger.LogDebug("Task {TaskId} is not runnable by message {MessageId}; skipped", message.TaskId, message.MessageId);
            return;
        }
        var task = await db.Tasks.AsNoTracking().SingleAsync(t => t.Id == message.TaskId, stopping);
        using var activity = StartRun(task, message);
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["TaskId"] = task.Id });
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var status = await RunAsync(task, stopping);
        activity?.SetTag("openmcpchain.task_status", status);
        AgentTelemetry.RunEnded(status, task.Profile, System.Diagnostics.Stopwatch.GetElapsedTime(started));
    }

    /// <summary>
    /// The run's span: a child of the submitting request's span on the first attempt; a later attempt (a retry, a
    /// takeover, a resume after approval) starts its own trace linked to the task's, so the first trace stays one run.
    /// </summary>
    private static System.Diagnostics.Activity? StartRun(AgentTask task, QueuedTask message)
    {
        System.Diagnostics.ActivityContext.TryParse(task.TraceParent, null, isRemote: true, out var submitted);
        var first = task.Attempts <= 1 && !message.Reclaimed;
        var activity = AgentTelemetry.Source.StartActivity(System.Diagnostics.ActivityKind.Consumer, first ? submitted : default,
            links: first || submitted == default ? null : [new(submitted)], name: "task run");
        activity?.SetTag(TaskTelemetry.ProfileTag, task.Profile ?? AgentProfile.Default);
        activity?.SetTag("openmcpchain.attempt", task.Attempts);
        TaskTelemetry.Mark(activity, task.Id);
        return activity;
    }

    /// <summary>Runs the agent and commits the task's next status; returns that status.</summary>
    private async Task<string> RunAsync(AgentTask task, CancellationToken stopping)
    {
        try
        {
            var result = await runner.RunAsync(task, stopping);
            var json = TaskResults.Serialize(result);
            await transitions.MoveAsync(task.Id, Running, TaskStatuses.Succeeded, set: s => s.SetProperty(t => t.ResultJson, json));
            return TaskStatuses.Succeeded;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Shutting down: hand the task back; the next run continues its recorded steps, and a write it asks again is keyed.
            await ReleaseAsync(task.Id, "The worker shut down.");
            return TaskStatuses.Pending;
        }
        catch (OperationCanceledException)
        {
            await FailAsync(task.Id, "TASK_TIMEOUT", "The task did not finish within its profile's time limit.");
            return TaskStatuses.Failed;
        }
        catch (TaskParked parked)
        {
            await transitions.MoveAsync(task.Id, Running, TaskStatuses.AwaitingApproval, $"approval {parked.ApprovalId}",
                s => s.SetProperty(t => t.ApprovalId, parked.ApprovalId));
            return TaskStatuses.AwaitingApproval;
        }
        catch (AgentFailure failure) when (failure.Code == ErrorCodes.TaskCancelled)
        {
            await transitions.MoveAsync(task.Id, Running, TaskStatuses.Cancelled, "stopped at a step boundary",
                s => s.SetProperty(t => t.ErrorCode, failure.Code).SetProperty(t => t.ErrorMessage, failure.Message));
            return TaskStatuses.Cancelled;
        }
        catch (AgentFailure failure) when (failure.Transient && task.Attempts < task.MaxRetries)
        {
            logger.LogWarning("Task {TaskId} attempt {Attempt} failed ({Code}); it will be retried", task.Id, task.Attempts, failure.Code);
            await ReleaseAsync(task.Id, failure.Message);
            return TaskStatuses.Pending;
        }
        catch (AgentFailure failure)
        {
            await FailAsync(task.Id, failure.Code, failure.Message);
            return TaskStatuses.Failed;
        }
        catch (Exception e) when (DependencyAway(e) && task.Attempts < task.MaxRetries)
        {
            // agentdb or a service went away mid-run (a restart, a kill; ProofService waiting out its database past the
            // client's timeout): nothing says the run was wrong. The next attempt continues from the recorded steps, and a
            // write it asks again is keyed.
            logger.LogWarning("Task {TaskId} attempt {Attempt} met a dependency away ({Reason}); it will be retried", task.Id, task.Attempts, e.Message);
            await ReleaseAsync(task.Id, "A dependency was unreachable during the run.");
            return TaskStatuses.Pending;
        }
        catch (Exception e)
        {
            logger.LogError(e, "Task {TaskId} failed unexpectedly", task.Id);
            await FailAsync(task.Id, ErrorCodes.Internal, "The agent failed unexpectedly; see the service logs.");
            return TaskStatuses.Failed;
        }
    }

    /// <summary>agentdb away (or a statement whose outcome it could not report), or a service that did not answer in time.</summary>
    private static bool DependencyAway(Exception e) => MySqlRetryStrategy.IsDatabaseAway(e) || AgentRunner.IsUnreachable(e);

    /// <summary>pending → running, atomically; a running task is only taken over through a reclaimed message.</summary>
    private Task<bool> TryClaimAsync(QueuedTask message) =>
        transitions.MoveAsync(message.TaskId, message.Reclaimed ? [TaskStatuses.Pending, TaskStatuses.Running] : [TaskStatuses.Pending],
            TaskStatuses.Running, message.Reclaimed ? "taken over from a stopped worker" : null,
            s => s.SetProperty(t => t.Attempts, t => t.Attempts + 1));

    private Task FailAsync(string taskId, string code, string error) =>
        transitions.MoveAsync(taskId, Running, TaskStatuses.Failed, code,
            s => s.SetProperty(t => t.ErrorCode, code).SetProperty(t => t.ErrorMessage, error));

    /// <summary>running → pending with no stream message: the sweeper re-enqueues it after its interval (a natural back-off).</summary>
    private Task ReleaseAsync(string taskId, string reason) =>
        transitions.MoveAsync(taskId, Running, TaskStatuses.Pending, reason,
            s => s.SetProperty(t => t.EnqueuedAt, (DateTimeOffset?)null).SetProperty(t => t.ErrorMessage, reason));
}
