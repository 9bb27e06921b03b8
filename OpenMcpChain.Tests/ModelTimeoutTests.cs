using System.Net;
using System.Net.Http.Json;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Tests;

/// <summary>
/// A model call cut by its attempt timeout is not asked again: the provider may already have billed it. The task fails
/// with LLM_UNAVAILABLE after one request (an AgentService process of its own, with a 2 s attempt timeout and a single
/// attempt per task, in front of a provider that takes 6 s).
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class ModelTimeoutTests(SystemFixture system)
{
    [Fact]
    public async Task AModelCallCutByItsAttemptTimeoutIsNotAskedAgainAndTheTaskFailsWithLlmUnavailable()
    {
        using var provider = SlowProvider.Start(TimeSpan.FromSeconds(6), rateLimited: 0, retryAfterSeconds: 1);
        await provider.WaitHealthyAsync(TimeSpan.FromSeconds(20));
        var redisPort = Ports.Free();
        using var redis = new RedisProcess(redisPort);
        await using var agent = await AgentProcess.StartAsync(system, $"agentdb_timeout_{Guid.NewGuid():N}"[..32], redisPort, provider.Url,
            new Dictionary<string, string> { ["Agent__ModelAttemptTimeout"] = "00:00:02", ["Agent__MaxRetries"] = "1" });

        using var response = await agent.Api.PostAsJsonAsync("/api/v1/tasks", new CreateTaskRequest("What is the latest block number?"), OpenMcpChainJson.Options);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var taskId = (await response.Content.ReadFromJsonAsync<TaskResponse>(OpenMcpChainJson.Options))!.TaskId;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        TaskResponse task;
        while (!TaskStatuses.IsFinal((task = (await agent.Api.GetFromJsonAsync<TaskResponse>($"/api/v1/tasks/{taskId}", OpenMcpChainJson.Options))!).Status))
        {
            Assert.True(DateTime.UtcNow < deadline, $"task {taskId} is still {task.Status} after 60 s");
            await Task.Delay(200);
        }

        Assert.Equal(TaskStatuses.Failed, task.Status);
        Assert.Equal(ErrorCodes.LlmUnavailable, task.Error?.Code);
        Assert.Equal(1, task.Attempts);
        Assert.Single(await provider.ReceivedAsync()); // cut after 2 s, never sent again
    }
}
