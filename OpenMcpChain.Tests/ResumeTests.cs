using System.Net;
using System.Net.Http.Json;
using System.Numerics;
using System.Text.Json;
using Aspire.Hosting.Testing;
using Nethereum.Hex.HexTypes;
using Nethereum.Web3;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Tests;

/// <summary>
/// A task resumes where it stopped: an approval or a takeover continues the recorded conversation instead of asking the
/// model again. The model is a stand-in that plans the same goal differently on every call (a real process speaking the
/// OpenAI protocol, counting the calls it serves), so a replay would show as extra calls, repeated reads, other steps.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class ResumeTests(SystemFixture system)
{
    private static readonly string[] WriteTools = ["transfer_native", "transfer_erc20", "write_contract"];

    private static string NewAddress() => Nethereum.Signer.EthECKey.GenerateKey().GetPublicAddress();

    private Task SetBalanceAsync(string address, BigInteger wei) =>
        system.Devnet.Client.SendRequestAsync<object>("anvil_setBalance", null, address, new HexBigInteger(wei).HexValue);

    private async Task<BigInteger> BalanceAsync(string address) => (await system.Devnet.Eth.GetBalance.SendRequestAsync(address)).Value;

    private static async Task<TaskResponse> SubmitAsync(HttpClient api, CreateTaskRequest request)
    {
        using var response = await api.PostAsJsonAsync("/api/v1/tasks", request, OpenMcpChainJson.Options);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<TaskResponse>(OpenMcpChainJson.Options))!;
    }

    private static async Task<TaskResponse> WaitAsync(HttpClient api, string taskId, Func<TaskResponse, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var task = (await api.GetFromJsonAsync<TaskResponse>($"/api/v1/tasks/{taskId}", OpenMcpChainJson.Options))!;
            if (done(task) || TaskStatuses.IsFinal(task.Status)) return task;
            Assert.True(DateTime.UtcNow < deadline, $"task {taskId} is still {task.Status} after {timeout.TotalSeconds:0} s");
            await Task.Delay(200);
        }
    }

    private static async Task<List<TaskStepResponse>> StepsAsync(HttpClient api, string taskId) =>
        (await api.GetFromJsonAsync<List<TaskStepResponse>>($"/api/v1/tasks/{taskId}/steps", OpenMcpChainJson.Options))!;

    /// <summary>No read was made twice: each (tool, arguments) of a read is one step.</summary>
    private static void AssertNoRepeatedReads(List<TaskStepResponse> steps)
    {
        var reads = steps.Where(s => s.Kind == "tool_call" && !WriteTools.Contains(s.Name)).Select(s => $"{s.Name} {s.Arguments}").ToList();
        Assert.Equal(reads.Distinct(), reads);
    }

    [Fact]
    public async Task AnApprovedWriteContinuesTheRecordedConversationWithOneMoreModelCallAfterTheChainMoved()
    {
        using var model = SlowProvider.Start(TimeSpan.Zero, rateLimited: 0, retryAfterSeconds: 1, vary: true);
        await model.WaitHealthyAsync(TimeSpan.FromSeconds(20));
        var redisPort = Ports.Free();
        using var redis = new RedisProcess(redisPort);
        await using var agent = await AgentProcess.StartAsync(system, $"agentdb_resume_{Guid.NewGuid():N}"[..32], redisPort, model.Url);
        var (holder, recipient, session) = (NewAddress(), NewAddress(), $"resume-{Guid.NewGuid():N}");
        await SetBalanceAsync(holder, Web3.Convert.ToWei(1));

        // An earlier turn of the same session: the resumed task must still see it.
        var earlier = await SubmitAsync(agent.Api, new CreateTaskRequest("What is the latest block number?", SessionId: session));
        Assert.Equal(TaskStatuses.Succeeded, (await WaitAsync(agent.Api, earlier.TaskId, _ => false, TimeSpan.FromSeconds(60))).Status);
        var servedBefore = (await model.ReceivedAsync()).Count;

        var accepted = await SubmitAsync(agent.Api, new CreateTaskRequest($"Check the balance of {holder}, then send 6 ETH to {recipient}", SessionId: session));
        var parked = await WaitAsync(agent.Api, accepted.TaskId, t => t.Status == TaskStatuses.AwaitingApproval, TimeSpan.FromSeconds(60));
        Assert.True(parked.Status == TaskStatuses.AwaitingApproval, $"{parked.Status}: {parked.Error?.Message}");
        var servedAtPark = (await model.ReceivedAsync()).Count;

        // While it waits the chain moves on: the holder's balance changes and a block is mined. Then the operator approves.
        await SetBalanceAsync(holder, Web3.Convert.ToWei(5));
        await system.Devnet.Client.SendRequestAsync<object>("evm_mine", null);
        using var approver = OAuthClient.Anonymous(system);
        await new OpenMcpChainClient(approver).AuthenticateAsync("approver", await system.ParameterAsync("gateway-approver-password"));
        using (var approved = await approver.PostAsJsonAsync($"/api/v1/approvals/{parked.ApprovalId}/approve", new { reason = "resume test" }))
            Assert.True(approved.IsSuccessStatusCode, await approved.Content.ReadAsStringAsync());
        var task = await WaitAsync(agent.Api, accepted.TaskId, _ => false, TimeSpan.FromSeconds(90));

        Assert.True(task.Status == TaskStatuses.Succeeded, $"{task.Status}: {task.Error?.Message}");
        Assert.Equal(Web3.Convert.ToWei(6), await BalanceAsync(recipient));
        var received = await model.ReceivedAsync();
        Assert.Equal(servedAtPark + 1, received.Count); // the final answer, nothing before the park point asked again
        var steps = await StepsAsync(agent.Api, task.TaskId);
        AssertNoRepeatedReads(steps);
        Assert.Single(steps, s => s.Name == "get_balance");
        // The parked write and its answer once approved: one call of the model's, answered from its idempotency key.
        var writes = steps.Where(s => s.Name == "transfer_native").ToList();
        Assert.Equal([(1, "APPROVAL_REQUIRED"), (2, null)], writes.Select(w => (w.Attempt, w.ErrorCode)));
        Assert.Equal(writes[0].CallId, writes[1].CallId);
        Assert.Equal(task.Result!.ToolCalls.Select(c => c.Tool), steps.Where(s => s.Kind == "tool_call" && s.ErrorCode is null).Select(s => s.Name));

        // The last request was the recorded conversation: the session's earlier turn, the balance as it was read before the
        // park (not the one after), and exactly the answers the steps hold.
        var last = received[^1].Messages;
        var text = last.GetRawText();
        Assert.Contains("What is the latest block number?", text);
        var toolMessages = last.EnumerateArray().Where(m => m.GetProperty("role").GetString() == "tool").ToList();
        Assert.Equal(steps.Where(s => s.Kind == "tool_call" && s.ErrorCode != "APPROVAL_REQUIRED").Select(s => (s.CallId, s.Content)),
            toolMessages.Select(m => (m.GetProperty("tool_call_id").GetString(), m.GetProperty("content").GetString())));
        var balanceRead = steps.Single(s => s.Name == "get_balance").Output;
        Assert.Contains(Web3.Convert.ToWei(1).ToString(), balanceRead);
        Assert.DoesNotContain(Web3.Convert.ToWei(5).ToString(), text);

        // Usage counts each model call once, and what resuming saved.
        Assert.Equal((received.Count - servedBefore, servedAtPark - servedBefore), (task.Usage.ModelCalls, task.Usage.ModelCallsSaved));
        Assert.Equal(task.Usage.ModelCalls, steps.Count(s => s.Kind == "model_turn"));
    }

    [Fact]
    public async Task AWorkerKilledAfterItsWriteWasSentContinuesFromTheRecordAndTheRecipientIsCreditedOnce()
    {
        using var model = SlowProvider.Start(TimeSpan.Zero, rateLimited: 0, retryAfterSeconds: 1, vary: true);
        await model.WaitHealthyAsync(TimeSpan.FromSeconds(20));
        var database = $"agentdb_resumekill_{Guid.NewGuid():N}"[..32];
        var redisPort = Ports.Free();
        using var redis = new RedisProcess(redisPort);
        var recipient = NewAddress();
        // The first worker's transparency log holds back the write's step: the write was sent, its result never recorded.
        using var relay = new HangingRelay(system.App.GetEndpoint("proofservice", "http"), forward: int.MaxValue,
            hold: body => body.Contains("\"kind\":\"tool_call\"") && body.Contains("\"name\":\"transfer_native\""));
        var doomed = await AgentProcess.StartAsync(system, database, redisPort, model.Url,
            new Dictionary<string, string> { ["services__proofservice__http__0"] = relay.Url.ToString() });
        var accepted = await SubmitAsync(doomed.Api, new CreateTaskRequest($"Check the balance of 0x70997970C51812dc3A010C7d01b50e0d17dc79C8, then send 0.3 ETH to {recipient}"));
        var held = await relay.HeldAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(Web3.Convert.ToWei(0.3m), await BalanceAsync(recipient));
        var servedBeforeKill = (await model.ReceivedAsync()).Count;
        doomed.Kill();
        await doomed.DisposeAsync();

        await using var successor = await AgentProcess.StartAsync(system, database, redisPort, model.Url);
        var task = await WaitAsync(successor.Api, accepted.TaskId, _ => false, TimeSpan.FromSeconds(90));

        Assert.True(task.Status == TaskStatuses.Succeeded, $"{task.Status}: {task.Error?.Message}");
        Assert.Equal(2, task.Attempts);
        Assert.Equal(Web3.Convert.ToWei(0.3m), await BalanceAsync(recipient));
        Assert.Equal(servedBeforeKill + 1, (await model.ReceivedAsync()).Count); // only the turn after the write
        var steps = await StepsAsync(successor.Api, task.TaskId);
        AssertNoRepeatedReads(steps);
        var write = Assert.Single(steps, s => s.Name == "transfer_native");
        Assert.Equal((2, null), (write.Attempt, write.ErrorCode));
        // Asked again under its key, the write answered with the transaction the first worker sent.
        var sent = JsonDocument.Parse(JsonDocument.Parse(held).RootElement.GetProperty("output").GetString()!).RootElement.GetProperty("tx_hash").GetString();
        Assert.Equal(sent, JsonDocument.Parse(write.Output).RootElement.GetProperty("tx_hash").GetString());
        Assert.Equal([1, 1, 2], steps.Where(s => s.Kind == "model_turn").Select(s => s.Attempt)); // the plan as recorded, then only the answer
        var events = (await successor.Api.GetFromJsonAsync<List<TaskEventResponse>>($"/api/v1/tasks/{task.TaskId}/events", OpenMcpChainJson.Options))!;
        Assert.Contains(events, e => e.Status == TaskStatuses.Running && e.Detail == "taken over from a stopped worker");
    }
}
