using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenMcpChain.AgentService.Agent;
using OpenMcpChain.AgentService.Infrastructure;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.AgentService.Queue;

/// <summary>Moves one task through its states around a run of the agent; every transition is committed before the message is acknowledged.</summary>
public sealed class TaskProcessor(AgentDbContext db, AgentRunner runner, IOptions<AgentOptions> options, ILogger<TaskProcessor> logger)
{
    public async Task ProcessAsync(QueuedTask message, CancellationToken stopping)
    {
        if (!await TryClaimAsync(message))
        {
            logger.LogDebug("Task {TaskId} is not runnable by message {MessageId}; skipped", message.TaskId, message.MessageId);
            return;
        }
        var task = await db.Tasks.AsNoTracking().SingleAsync(t => t.Id == message.TaskId, stopping);
        logger.LogInformation("Task {TaskId} moved to {State} (attempt {Attempt})", task.Id, TaskStatuses.Running, task.Attempts);

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        deadline.CancelAfter(options.Value.TaskTimeout);
        try
        {
            var result = await runner.RunAsync(task, deadline.Token);
            await FinishAsync(task.Id, TaskStatuses.Succeeded, JsonSerializer.Serialize(result, OpenMcpChainJson.Options), null, null);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Shutting down: hand the task back so the next worker runs it from the start.
            await ReleaseAsync(task.Id, "The worker shut down.");
        }
        catch (OperationCanceledException)
        {
            await FinishAsync(task.Id, TaskStatuses.Failed, null, "TASK_TIMEOUT", $"The task did not finish within {options.Value.TaskTimeout}.");
        }
        catch (AgentFailure failure) when (failure.Transient && task.Attempts < task.MaxRetries)
        {
            logger.LogWarning("Task {TaskId} attempt {Attempt} failed ({Code}); it will be retried", task.Id, task.Attempts, failure.Code);
            await ReleaseAsync(task.Id, failure.Message);
        }
        catch (AgentFailure failure)
        {
            await FinishAsync(task.Id, TaskStatuses.Failed, null, failure.Code, failure.Message);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Task {TaskId} failed unexpectedly", task.Id);
            await FinishAsync(task.Id, TaskStatuses.Failed, null, ErrorCodes.Internal, "The agent failed unexpectedly; see the service logs.");
        }
    }

    /// <summary>pending → running, atomically; a running task is only taken over through a reclaimed message.</summary>
    private async Task<bool> TryClaimAsync(QueuedTask message)
    {
        var now = DateTimeOffset.UtcNow;
        var claimed = await db.Tasks
            .Where(t => t.Id == message.TaskId
                        && (t.Status == TaskStatuses.Pending || (message.Reclaimed && t.Status == TaskStatuses.Running)))
            .ExecuteUpdateAsync(s => s
                .SetProperty(t => t.Status, TaskStatuses.Running)
                .SetProperty(t => t.Attempts, t => t.Attempts + 1)
                .SetProperty(t => t.UpdatedAt, now));
        return claimed == 1;
    }

    private async Task FinishAsync(string taskId, string status, string? resultJson, string? code, string? error)
    {
        var now = DateTimeOffset.UtcNow;
        await db.Tasks.Where(t => t.Id == taskId && t.Status == TaskStatuses.Running).ExecuteUpdateAsync(s => s
            .SetProperty(t => t.Status, status)
            .SetProperty(t => t.ResultJson, resultJson)
            .SetProperty(t => t.ErrorCode, code)
            .SetProperty(t => t.ErrorMessage, error)
            .SetProperty(t => t.UpdatedAt, now));
        logger.LogInformation("Task {TaskId} moved to {State}{Code}", taskId, status, code is null ? "" : $" ({code})");
    }

    /// <summary>running → pending with no stream message: the sweeper re-enqueues it after its interval (a natural back-off).</summary>
    private async Task ReleaseAsync(string taskId, string reason)
    {
        var now = DateTimeOffset.UtcNow;
        await db.Tasks.Where(t => t.Id == taskId && t.Status == TaskStatuses.Running).ExecuteUpdateAsync(s => s
            .SetProperty(t => t.Status, TaskStatuses.Pending)
            .SetProperty(t => t.EnqueuedAt, (DateTimeOffset?)null)
            .SetProperty(t => t.ErrorMessage, reason)
            .SetProperty(t => t.UpdatedAt, now));
    }
}
