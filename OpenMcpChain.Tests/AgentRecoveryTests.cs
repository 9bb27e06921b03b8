using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.Testing;
using MySqlConnector;
using Nethereum.Web3;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Tests;

/// <summary>Never lose a task, never run one twice: a killed worker's task is taken over; Redis down at submit.</summary>
[Collection(SystemCollection.Name)]
public sealed class AgentRecoveryTests(SystemFixture system)
{
    private Uri LlmBridge => system.App.GetEndpoint("llm-bridge", "http");

    private static async Task<TaskResponse> WaitAsync(HttpClient api, string taskId, Func<TaskResponse, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var task = (await api.GetFromJsonAsync<TaskResponse>($"/api/v1/tasks/{taskId}", OpenMcpChainJson.Options))!;
            if (done(task)) return task;
            Assert.True(DateTime.UtcNow < deadline, $"task {taskId} is still {task.Status}");
            await Task.Delay(200);
        }
    }

    private static async Task<TaskResponse> SubmitAsync(HttpClient api, string goal)
    {
        using var response = await api.PostAsJsonAsync("/api/v1/tasks", new CreateTaskRequest(goal), OpenMcpChainJson.Options);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<TaskResponse>(OpenMcpChainJson.Options))!;
    }

    [Fact]
    public async Task AKilledWorkersTaskIsTakenOverAndFinishesOnceWithOneTransaction()
    {
        var database = $"agentdb_takeover_{Guid.NewGuid():N}"[..32];
        var redisPort = Ports.Free();
        using var redis = new RedisProcess(redisPort);
        var recipient = Nethereum.Signer.EthECKey.GenerateKey().GetPublicAddress();

        // The first worker's model answers once (the transfer is planned and sent), then never again.
        using var hanging = new HangingRelay(LlmBridge, forward: 1);
        var doomed = await AgentProcess.StartAsync(system, database, redisPort, hanging.Url);
        var accepted = await SubmitAsync(doomed.Api, $"Send 0.2 ETH to {recipient}");
        await hanging.WaitForRequestsAsync(2, TimeSpan.FromSeconds(60), "the first worker's second model turn");
        Assert.Equal(Web3.Convert.ToWei(0.2m), (await system.Devnet.Eth.GetBalance.SendRequestAsync(recipient)).Value);
        doomed.Kill();
        await doomed.DisposeAsync();

        // A second instance takes the unacknowledged message over and continues after the last recorded step.
        await using var successor = await AgentProcess.StartAsync(system, database, redisPort, LlmBridge);
        var task = await WaitAsync(successor.Api, accepted.TaskId, t => TaskStatuses.IsFinal(t.Status), TimeSpan.FromSeconds(90));

        Assert.True(task.Status == TaskStatuses.Succeeded, $"{task.Status}: {task.Error}");
        Assert.Equal(2, task.Attempts);
        Assert.Equal(Web3.Convert.ToWei(0.2m), (await system.Devnet.Eth.GetBalance.SendRequestAsync(recipient)).Value);
        var steps = (await successor.Api.GetFromJsonAsync<List<TaskStepResponse>>($"/api/v1/tasks/{task.TaskId}/steps", OpenMcpChainJson.Options))!;
        // The write was recorded by the first worker and is not planned or sent again: the successor asked the model only for
        // the answer that follows it, and the result holds the first worker's transaction.
        var write = Assert.Single(steps, s => s.Name == "transfer_native");
        Assert.Equal(1, write.Attempt);
        Assert.Equal([1, 2], steps.Where(s => s.Kind == "model_turn").Select(s => s.Attempt));
        Assert.Equal(JsonDocument.Parse(write.Output).RootElement.GetProperty("tx_hash").GetString(),
            JsonDocument.Parse(Assert.Single(task.Result!.ToolCalls).Output).RootElement.GetProperty("tx_hash").GetString());
        var events = (await successor.Api.GetFromJsonAsync<List<TaskEventResponse>>($"/api/v1/tasks/{task.TaskId}/events", OpenMcpChainJson.Options))!;
        Assert.Contains(events, e => e.Status == TaskStatuses.Running && e.Detail == "taken over from a stopped worker");
        Assert.Single(events, e => e.Status == TaskStatuses.Succeeded);
    }

    [Fact]
    public async Task ASentTransferWhoseStepCannotBeRecordedIsReportedByTheNextAttemptNotLost()
    {
        var database = $"agentdb_steprec_{Guid.NewGuid():N}"[..32];
        var redisPort = Ports.Free();
        using var redis = new RedisProcess(redisPort);
        var recipient = Nethereum.Signer.EthECKey.GenerateKey().GetPublicAddress();
        await using var agent = await AgentProcess.StartAsync(system, database, redisPort, LlmBridge);
        // agentdb refuses the first attempt's transfer step: the transfer has been sent when its record fails.
        var connectionString = (await system.App.GetConnectionStringAsync("agentdb"))!.Replace("Database=agentdb", $"Database={database}");
        await using (var connection = new MySqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var trigger = new MySqlCommand("""
                CREATE TRIGGER refuse_first_tool_step BEFORE INSERT ON task_steps FOR EACH ROW
                BEGIN
                  IF NEW.Name = 'transfer_native' AND NEW.Attempt = 1 THEN
                    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'the step cannot be recorded (test)';
                  END IF;
                END
                """, connection);
            await trigger.ExecuteNonQueryAsync();
        }

        var accepted = await SubmitAsync(agent.Api, $"Send 0.03 ETH to {recipient}");
        var task = await WaitAsync(agent.Api, accepted.TaskId, t => TaskStatuses.IsFinal(t.Status), TimeSpan.FromSeconds(90));

        // The failed record ended the attempt (it did not reach the model as the tool's answer, which would have reported the
        // transfer as failed); the next attempt asked the write again under its key and got the transaction already sent.
        Assert.True(task.Status == TaskStatuses.Succeeded, $"{task.Status}: {task.Error}");
        Assert.Equal(2, task.Attempts);
        Assert.Equal(Web3.Convert.ToWei(0.03m), (await system.Devnet.Eth.GetBalance.SendRequestAsync(recipient)).Value);
        var steps = (await agent.Api.GetFromJsonAsync<List<TaskStepResponse>>($"/api/v1/tasks/{task.TaskId}/steps", OpenMcpChainJson.Options))!;
        var write = Assert.Single(steps, s => s.Name == "transfer_native");
        Assert.Equal((2, false), (write.Attempt, write.IsError));
        var sent = JsonDocument.Parse(write.Output).RootElement.GetProperty("tx_hash").GetString();
        Assert.StartsWith("0x", sent);
        Assert.Equal(sent, JsonDocument.Parse(Assert.Single(task.Result!.ToolCalls).Output).RootElement.GetProperty("tx_hash").GetString());
        var events = (await agent.Api.GetFromJsonAsync<List<TaskEventResponse>>($"/api/v1/tasks/{task.TaskId}/events", OpenMcpChainJson.Options))!;
        Assert.Equal([TaskStatuses.Pending, TaskStatuses.Running, TaskStatuses.Pending, TaskStatuses.Running, TaskStatuses.Succeeded],
            events.Select(e => e.Status));
    }

    [Fact]
    public async Task ChainServiceAwayMidRunCostsATaskAnAttemptAndTheAgentsSharedSessionComesBackWithIt()
    {
        // The agent keeps one MCP session with ChainService for all its tasks; here ChainService is reached through a relay
        // the test cuts, as when ChainService's process goes away and comes back.
        var database = $"agentdb_mcpaway_{Guid.NewGuid():N}"[..32];
        var redisPort = Ports.Free();
        using var redis = new RedisProcess(redisPort);
        using var chain = new TcpRelay(system.App.GetEndpoint("chainservice", "http"));
        await using var agent = await AgentProcess.StartAsync(system, database, redisPort, LlmBridge,
            new Dictionary<string, string> { ["services__chainservice__http__0"] = chain.Url.ToString() });
        const string goal = "What is the latest block number?";
        var before = await WaitAsync(agent.Api, (await SubmitAsync(agent.Api, goal)).TaskId, t => TaskStatuses.IsFinal(t.Status), TimeSpan.FromSeconds(60));
        Assert.True(before.Status == TaskStatuses.Succeeded, $"{before.Status}: {before.Error}");

        chain.Cut();
        var during = await SubmitAsync(agent.Api, goal);
        // Its tool call finds ChainService away: the attempt ends and the task waits for another, not failed.
        await WaitAsync(agent.Api, during.TaskId, t => t.Attempts >= 1 && t.Status == TaskStatuses.Pending, TimeSpan.FromSeconds(60));
        chain.Open();

        var retried = await WaitAsync(agent.Api, during.TaskId, t => TaskStatuses.IsFinal(t.Status), TimeSpan.FromSeconds(90));
        Assert.True(retried.Status == TaskStatuses.Succeeded, $"{retried.Status}: {retried.Error}");
        Assert.True(retried.Attempts >= 2, $"attempts: {retried.Attempts}");
        var after = await WaitAsync(agent.Api, (await SubmitAsync(agent.Api, goal)).TaskId, t => TaskStatuses.IsFinal(t.Status), TimeSpan.FromSeconds(60));
        Assert.True(after.Status == TaskStatuses.Succeeded, $"{after.Status}: {after.Error}");
        Assert.Equal(1, after.Attempts);
    }

    [Fact]
    public async Task ATaskSubmittedWhileRedisIsDownIsAcceptedAndRunsOnceRedisIsBack()
    {
        var database = $"agentdb_noredis_{Guid.NewGuid():N}"[..32];
        var redisPort = Ports.Free(); // nothing listens there yet
        await using var agent = await AgentProcess.StartAsync(system, database, redisPort, LlmBridge);

        var accepted = await SubmitAsync(agent.Api, "What is the latest block number?");
        Assert.Equal(TaskStatuses.Pending, accepted.Status);
        await Task.Delay(3000);
        Assert.Equal(TaskStatuses.Pending, (await agent.Api.GetFromJsonAsync<TaskResponse>($"/api/v1/tasks/{accepted.TaskId}", OpenMcpChainJson.Options))!.Status);

        using var redis = new RedisProcess(redisPort);
        var task = await WaitAsync(agent.Api, accepted.TaskId, t => TaskStatuses.IsFinal(t.Status), TimeSpan.FromSeconds(90));
        Assert.True(task.Status == TaskStatuses.Succeeded, $"{task.Status}: {task.Error}");
        Assert.Equal(1, task.Attempts);
    }

    [Fact]
    public async Task CancellingARunningTaskStopsItAtTheNextStepBoundary()
    {
        var database = $"agentdb_cancel_{Guid.NewGuid():N}"[..32];
        var redisPort = Ports.Free();
        using var redis = new RedisProcess(redisPort);
        var recipient = Nethereum.Signer.EthECKey.GenerateKey().GetPublicAddress();
        using var slow = new HangingRelay(LlmBridge, forward: 100, delay: TimeSpan.FromSeconds(2));
        await using var agent = await AgentProcess.StartAsync(system, database, redisPort, slow.Url);

        var accepted = await SubmitAsync(agent.Api, $"Check the balance of 0x70997970C51812dc3A010C7d01b50e0d17dc79C8, then send 0.01 ETH to {recipient}");
        await WaitAsync(agent.Api, accepted.TaskId, t => t.Status == TaskStatuses.Running, TimeSpan.FromSeconds(30));
        await slow.WaitForRequestsAsync(1, TimeSpan.FromSeconds(30), "the model's first turn"); // it is thinking about the first step

        using var cancel = await agent.Api.PostAsync($"/api/v1/tasks/{accepted.TaskId}/cancel", null);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode); // running: it stops at the next step boundary
        var task = await WaitAsync(agent.Api, accepted.TaskId, t => TaskStatuses.IsFinal(t.Status), TimeSpan.FromSeconds(60));

        Assert.Equal(TaskStatuses.Cancelled, task.Status);
        Assert.Equal("TASK_CANCELLED", task.Error?.Code);
        var steps = (await agent.Api.GetFromJsonAsync<List<TaskStepResponse>>($"/api/v1/tasks/{task.TaskId}/steps", OpenMcpChainJson.Options))!;
        Assert.DoesNotContain(steps, s => s.Kind == "tool_call" && !s.IsError);
        await Task.Delay(1000);
        Assert.Equal(0, (long)(await system.Devnet.Eth.GetBalance.SendRequestAsync(recipient)).Value);
    }

    [Fact]
    public async Task AWorkerShuttingDownHandsItsTaskBackAndAnotherFinishesIt()
    {
        var database = $"agentdb_shutdown_{Guid.NewGuid():N}"[..32];
        var redisPort = Ports.Free();
        using var redis = new RedisProcess(redisPort);
        using var slow = new HangingRelay(LlmBridge, forward: 100, delay: TimeSpan.FromSeconds(3));
        var first = await AgentProcess.StartAsync(system, database, redisPort, slow.Url);
        var accepted = await SubmitAsync(first.Api, "What is the latest block number?");
        await slow.WaitForRequestsAsync(1, TimeSpan.FromSeconds(60), "the first worker's first model turn"); // mid-task: the model is answering

        Assert.Equal(0, await first.TerminateAsync());
        await first.DisposeAsync();

        await using var second = await AgentProcess.StartAsync(system, database, redisPort, LlmBridge);
        var task = await WaitAsync(second.Api, accepted.TaskId, t => TaskStatuses.IsFinal(t.Status), TimeSpan.FromSeconds(60));
        Assert.True(task.Status == TaskStatuses.Succeeded, $"{task.Status}: {task.Error}");
        Assert.Equal(2, task.Attempts);
        var events = (await second.Api.GetFromJsonAsync<List<TaskEventResponse>>($"/api/v1/tasks/{task.TaskId}/events", OpenMcpChainJson.Options))!;
        Assert.Equal([TaskStatuses.Pending, TaskStatuses.Running, TaskStatuses.Pending, TaskStatuses.Running, TaskStatuses.Succeeded],
            events.Select(e => e.Status));
        Assert.Equal("The worker shut down.", events[2].Detail);
    }

    [Fact]
    public async Task AnIdenticalModelRequestIsAnsweredFromTheCache()
    {
        var database = $"agentdb_cache_{Guid.NewGuid():N}"[..32];
        var redisPort = Ports.Free();
        using var redis = new RedisProcess(redisPort);
        using var counting = new HangingRelay(LlmBridge, forward: 100);
        await using var agent = await AgentProcess.StartAsync(system, database, redisPort, counting.Url);

        var first = await SubmitAsync(agent.Api, "What chain is this?");
        Assert.Equal(TaskStatuses.Succeeded, (await WaitAsync(agent.Api, first.TaskId, t => TaskStatuses.IsFinal(t.Status), TimeSpan.FromSeconds(60))).Status);
        var afterFirst = counting.Received;
        var second = await SubmitAsync(agent.Api, "What chain is this?");
        Assert.Equal(TaskStatuses.Succeeded, (await WaitAsync(agent.Api, second.TaskId, t => TaskStatuses.IsFinal(t.Status), TimeSpan.FromSeconds(60))).Status);

        Assert.Equal(2, afterFirst); // plan, then answer
        Assert.True(counting.Received - afterFirst < afterFirst, $"the second task asked the model {counting.Received - afterFirst} times");
        // The cached turn is still a recorded step of the second task.
        var steps = (await agent.Api.GetFromJsonAsync<List<TaskStepResponse>>($"/api/v1/tasks/{second.TaskId}/steps", OpenMcpChainJson.Options))!;
        Assert.Equal(2, steps.Count(s => s.Kind == "model_turn"));
    }
}
