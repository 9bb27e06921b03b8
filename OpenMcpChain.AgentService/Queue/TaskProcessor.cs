using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenMcpChain.AgentService.Agent;
using OpenMcpChain.AgentService.Infrastructure;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

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
        try
        {
            var result = await runner.RunAsync(task, stopping);
            var json = TaskResults.Serialize(result);
            await transitions.MoveAsync(task.Id, Running, TaskStatuses.Succeeded, set: s => s.SetProperty(t => t.ResultJson, json));
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Shutting down: hand the task back; its writes are keyed per step, so the next run does not repeat them.
            await ReleaseAsync(task.Id, "The worker shut down.");
        }
        catch (OperationCanceledException)
        {
            await FailAsync(task.Id, "TASK_TIMEOUT", "The task did not finish within its profile's time limit.");
        }
        catch (TaskParked parked)
        {
            await transitions.MoveAsync(task.Id, Running, TaskStatuses.AwaitingApproval, $"approval {parked.ApprovalId}",
                s => s.SetProperty(t => t.ApprovalId, parked.ApprovalId));
        }
        catch (AgentFailure failure) when (failure.Code == ErrorCodes.TaskCancelled)
        {
            await transitions.MoveAsync(task.Id, Running, TaskStatuses.Cancelled, "stopped at a step boundary",
                s => s.SetProperty(t => t.ErrorCode, failure.Code).SetProperty(t => t.ErrorMessage, failure.Message));
        }
        catch (AgentFailure failure) when (failure.Transient && task.Attempts < task.MaxRetries)
        {
            logger.LogWarning("Task {TaskId} attempt {Attempt} failed ({Code}); it will be retried", task.Id, task.Attempts, failure.Code);
            await ReleaseAsync(task.Id, failure.Message);
        }
        catch (AgentFailure failure)
        {
            await FailAsync(task.Id, failure.Code, failure.Message);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Task {TaskId} failed unexpectedly", task.Id);
            await FailAsync(task.Id, ErrorCodes.Internal, "The agent failed unexpectedly; see the service logs.");
        }
    }

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
