using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Tests;

/// <summary>Waits for a task that end at a deadline and then fail the test, saying what the task was still doing.</summary>
internal static class TaskWaits
{
    /// <summary>The task once it is final; a <see cref="TimeoutException"/> naming its last status when it is not final in time.</summary>
    public static async Task<TaskResponse> FinishedAsync(this OpenMcpChainClient client, string taskId, TimeSpan timeout)
    {
        try
        {
            return await client.WaitForTaskAsync(taskId, timeout);
        }
        catch (OperationCanceledException e)
        {
            using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var last = await client.GetTaskAsync(taskId, quick.Token);
            throw new TimeoutException($"Task {taskId} did not finish within {timeout.TotalSeconds:0} s: it is still {last.Status}.", e);
        }
    }
}
