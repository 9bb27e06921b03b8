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

    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test after <paramref name="deadline"/>, naming <paramref name="what"/>.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan deadline, string what)
    {
        var end = DateTime.UtcNow + deadline;
        while (!await condition())
        {
            if (DateTime.UtcNow > end) Assert.Fail($"Waited {deadline.TotalSeconds:0} s for {what}.");
            await Task.Delay(100);
        }
    }
}
