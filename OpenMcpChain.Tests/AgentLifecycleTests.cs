using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Nethereum.Web3;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Tests;

/// <summary>The agent runtime on the real system: steps, tokens, approvals, cancellation, progress, sessions and profiles.</summary>
[Collection(SystemCollection.Name)]
public sealed class AgentLifecycleTests(SystemFixture system)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private const string Watched = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

    private static string NewAddress() => Nethereum.Signer.EthECKey.GenerateKey().GetPublicAddress();

    private async Task<TaskResponse> RunAsync(CreateTaskRequest request)
    {
        var accepted = await system.Client.CreateTaskAsync(request);
        return await system.Client.FinishedAsync(accepted.TaskId, Timeout);
    }

    private async Task<List<TaskStepResponse>> StepsAsync(string taskId) =>
        (await system.Gateway.GetFromJsonAsync<List<TaskStepResponse>>($"/api/v1/tasks/{taskId}/steps", OpenMcpChainJson.Options))!;

    private async Task<TaskResponse> WaitForStatusAsync(string taskId, string status)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var task = await system.Client.GetTaskAsync(taskId);
            if (task.Status == status) return task;
            Assert.True(DateTime.UtcNow < deadline && !TaskStatuses.IsFinal(task.Status), $"task is {task.Status}, waited for {status}: {task.Error}");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task EveryStepIsRecordedWithTokensAndLoggedAndTheAttestationCommitsToThem()
    {
        var task = await RunAsync(new CreateTaskRequest($"Check the balance of {Watched}, then send 0.01 ETH to {NewAddress()}"));
        Assert.Equal(TaskStatuses.Succeeded, task.Status);

        var steps = await StepsAsync(task.TaskId);
        Assert.Equal(["model_turn", "tool_call", "model_turn", "tool_call", "model_turn"], steps.Select(s => s.Kind));
        Assert.Equal(["get_balance", "transfer_native"], steps.Where(s => s.Kind == "tool_call").Select(s => s.Name));
        Assert.Equal([null, "allowed"], steps.Where(s => s.Kind == "tool_call").Select(s => s.PolicyDecision));
        Assert.Equal(Enumerable.Range(1, 5), steps.Select(s => s.Seq));
        Assert.All(steps, s => Assert.NotNull(s.LogIndex));
        Assert.All(steps.Where(s => s.Kind == "model_turn"), s => Assert.True(s.InputTokens > 0 && s.OutputTokens > 0));
        Assert.Equal(steps.Sum(s => s.InputTokens), task.Usage.InputTokens);
        Assert.Equal(steps.Sum(s => s.OutputTokens), task.Usage.OutputTokens);

        // The log holds each step under the task, before the outcome the attestation signed over them.
        var proofs = system.CreateClient("proofservice");
        var logged = await proofs.GetFromJsonAsync<JsonElement>($"/api/log/entries?task_id={task.TaskId}");
        var types = logged.EnumerateArray().Select(e => JsonDocument.Parse(e.GetProperty("entry").GetString()!).RootElement.GetProperty("type").GetString()).ToList();
        Assert.Equal(5, types.Count(t => t == "task_step"));
        // The attestation commits to exactly the task's entries before its outcome entry: their count and RFC 9162 root.
        var signed = task.Result!.Provenance!.TypedData!.Value.GetProperty("message");
        var outcomeIndex = task.Result.Provenance.Log!.Index;
        var before = logged.EnumerateArray().Where(e => e.GetProperty("index").GetInt64() < outcomeIndex).ToList();
        Assert.True(before.Count >= 5);
        Assert.Equal(before.Count, signed.GetProperty("stepLogSize").GetInt64());
        var root = OpenMcpChain.Sdk.Proofs.MerkleProof.RootOf([.. before.Select(e => Convert.FromHexString(e.GetProperty("leaf_hash").GetString()![2..]))]);
        Assert.Equal("0x" + Convert.ToHexStringLower(root), signed.GetProperty("stepLogRoot").GetString());

        // Each state change is stored with its time, in order.
        var events = await system.Gateway.GetFromJsonAsync<List<TaskEventResponse>>($"/api/v1/tasks/{task.TaskId}/events", OpenMcpChainJson.Options);
        Assert.NotNull(events);
        Assert.Equal([TaskStatuses.Pending, TaskStatuses.Running, TaskStatuses.Succeeded], events.Select(e => e.Status));
        Assert.Equal(events.Select(e => e.At).Order(), events.Select(e => e.At));
    }

    [Fact]
    public async Task AWriteAboveTheThresholdWaitsForApprovalAndResumesToOneTransactionOnceApproved()
    {
        var recipient = NewAddress();
        var accepted = await system.Client.CreateTaskAsync(new CreateTaskRequest($"Send 6 ETH to {recipient}"));
        var parked = await WaitForStatusAsync(accepted.TaskId, TaskStatuses.AwaitingApproval);
        Assert.False(string.IsNullOrEmpty(parked.ApprovalId));
        Assert.Equal(0, (long)(await system.Devnet.Eth.GetBalance.SendRequestAsync(recipient)).Value);

        using var approved = await (await system.ChainOperatorAsync()).PostAsJsonAsync($"/api/approvals/{parked.ApprovalId}/approve", new { reason = "test" });
        Assert.True(approved.IsSuccessStatusCode, await approved.Content.ReadAsStringAsync());

        var task = await system.Client.FinishedAsync(accepted.TaskId, Timeout);
        Assert.True(task.Status == TaskStatuses.Succeeded, $"{task.Status}: {task.Error}");
        Assert.Equal(Web3.Convert.ToWei(6), (await system.Devnet.Eth.GetBalance.SendRequestAsync(recipient)).Value);
        var writes = (await StepsAsync(task.TaskId)).Where(s => s.Name == "transfer_native").ToList();
        Assert.Equal(["APPROVAL_REQUIRED", "allowed"], writes.Select(w => w.PolicyDecision));
        Assert.Equal([1, 2], writes.Select(w => w.Attempt));
        var events = await system.Gateway.GetFromJsonAsync<List<TaskEventResponse>>($"/api/v1/tasks/{task.TaskId}/events", OpenMcpChainJson.Options);
        Assert.Contains(TaskStatuses.AwaitingApproval, events!.Select(e => e.Status));
    }

    [Fact]
    public async Task ARejectedApprovalEndsTheTaskRejectedAndSendsNothing()
    {
        var recipient = NewAddress();
        var accepted = await system.Client.CreateTaskAsync(new CreateTaskRequest($"Send 7 ETH to {recipient}"));
        var parked = await WaitForStatusAsync(accepted.TaskId, TaskStatuses.AwaitingApproval);

        using var rejected = await (await system.ChainOperatorAsync()).PostAsJsonAsync($"/api/approvals/{parked.ApprovalId}/reject", new { reason = "too much" });
        Assert.True(rejected.IsSuccessStatusCode);

        var task = await system.Client.FinishedAsync(accepted.TaskId, Timeout);
        Assert.Equal(TaskStatuses.Rejected, task.Status);
        Assert.Equal("APPROVAL_REJECTED", task.Error?.Code);
        Assert.Contains("too much", task.Error?.Message);
        Assert.Equal(0, (long)(await system.Devnet.Eth.GetBalance.SendRequestAsync(recipient)).Value);
    }

    [Fact]
    public async Task CancellingAParkedTaskWithdrawsItsWriteSoNoLaterApprovalSendsIt()
    {
        var recipient = NewAddress();
        var accepted = await system.Client.CreateTaskAsync(new CreateTaskRequest($"Send 8 ETH to {recipient}"));
        var parked = await WaitForStatusAsync(accepted.TaskId, TaskStatuses.AwaitingApproval);

        using var cancel = await system.Gateway.PostAsync($"/api/v1/tasks/{accepted.TaskId}/cancel", null);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal(TaskStatuses.Cancelled, (await system.Client.GetTaskAsync(accepted.TaskId)).Status);

        using var late = await (await system.ChainOperatorAsync()).PostAsJsonAsync($"/api/approvals/{parked.ApprovalId}/approve", new { });
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        await Task.Delay(1500);
        Assert.Equal(0, (long)(await system.Devnet.Eth.GetBalance.SendRequestAsync(recipient)).Value);
        Assert.Equal(TaskStatuses.Cancelled, (await system.Client.GetTaskAsync(accepted.TaskId)).Status);

        // A finished task cannot be cancelled; an unknown one does not exist.
        using var again = await system.Gateway.PostAsync($"/api/v1/tasks/{accepted.TaskId}/cancel", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("TASK_ALREADY_FINISHED", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        using var unknown = await system.Gateway.PostAsync("/api/v1/tasks/no-such-task/cancel", null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task ProgressStreamsAsServerSentEventsThroughTheGatewayUntilTheTaskEnds()
    {
        var accepted = await system.Client.CreateTaskAsync(new CreateTaskRequest($"What is the balance of {Watched}?"));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/tasks/{accepted.TaskId}/events");
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var deadline = new CancellationTokenSource(Timeout);
        using var response = await system.Gateway.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        string body;
        try
        {
            body = await response.Content.ReadAsStringAsync(deadline.Token); // the server ends the stream when the task ends
        }
        catch (OperationCanceledException e)
        {
            throw new TimeoutException($"The event stream of task {accepted.TaskId} did not end within {Timeout.TotalSeconds:0} s.", e);
        }

        var events = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(block => block.Split('\n').ToDictionary(l => l[..l.IndexOf(':')], l => l[(l.IndexOf(':') + 1)..].Trim()))
            .ToList();
        Assert.Contains(events, e => e["event"] == "step");
        var statuses = events.Where(e => e["event"] == "status").Select(e => JsonDocument.Parse(e["data"]).RootElement.GetProperty("status").GetString()).ToList();
        Assert.Equal(TaskStatuses.Succeeded, statuses[^1]);
        Assert.Contains(TaskStatuses.Running, statuses);
    }

    [Fact]
    public async Task ASessionGivesTheModelItsEarlierTurnsAndAProfileNarrowsTheTools()
    {
        var session = $"s-{Guid.NewGuid():N}";
        var first = await RunAsync(new CreateTaskRequest($"What is the balance of {Watched}?", SessionId: session));
        Assert.Equal(TaskStatuses.Succeeded, first.Status);
        var second = await RunAsync(new CreateTaskRequest("What is the latest block number?", SessionId: session));
        var alone = await RunAsync(new CreateTaskRequest("What is the latest block number?"));
        int InputMessages(TaskStepResponse s) => s.Arguments!.Value.GetProperty("input_messages").GetInt32();
        Assert.Equal(InputMessages((await StepsAsync(alone.TaskId))[0]) + 2, InputMessages((await StepsAsync(second.TaskId))[0]));

        var recipient = NewAddress();
        var readOnly = await RunAsync(new CreateTaskRequest($"Send 1 ETH to {recipient}", Profile: "read-only"));
        Assert.Equal(TaskStatuses.Succeeded, readOnly.Status);
        Assert.Equal("read-only", readOnly.Profile);
        Assert.Empty(readOnly.Result!.ToolCalls);
        Assert.Equal("No chain tools were called.", readOnly.Result.Observations);
        Assert.Contains("can't do that", readOnly.Result.Reply);
        Assert.Equal(0, (long)(await system.Devnet.Eth.GetBalance.SendRequestAsync(recipient)).Value);

        using var unknown = await system.Gateway.PostAsJsonAsync("/api/v1/tasks", new { goal = "hi", profile = "nope" });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal("PROFILE_NOT_FOUND", (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task AProfileBoundsTheStepsOfItsTasksAndIsReadableAtTheGateway()
    {
        var name = $"one-step-{Guid.NewGuid():N}"[..20];
        var agent = system.CreateClient("agentservice");
        using var put = await agent.PutAsJsonAsync($"/api/v1/profiles/{name}", new { system_prompt = "Be brief. Network: {network}.", max_steps = 1 });
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        using var bad = await agent.PutAsJsonAsync($"/api/v1/profiles/{name}", new { system_prompt = "x", max_steps = 0 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var listed = await system.Gateway.GetFromJsonAsync<JsonElement>($"/api/v1/profiles/{name}");
        Assert.Equal(1, listed.GetProperty("max_steps").GetInt32());
        using var publicPut = await system.Gateway.PutAsJsonAsync($"/api/v1/profiles/{name}", new { system_prompt = "x" });
        Assert.False(publicPut.IsSuccessStatusCode); // not changeable from outside

        // A read is one tool call and fits; a read-then-transfer needs two and is stopped before the transfer acts.
        Assert.Equal(TaskStatuses.Succeeded, (await RunAsync(new CreateTaskRequest($"What is the balance of {Watched}?", Profile: name))).Status);
        var recipient = NewAddress();
        var stopped = await RunAsync(new CreateTaskRequest($"Check the balance of {Watched}, then send 0.01 ETH to {recipient}", Profile: name));
        Assert.Equal(TaskStatuses.Failed, stopped.Status);
        Assert.Equal("MAX_STEPS_EXCEEDED", stopped.Error?.Code);
        Assert.Equal(0, (long)(await system.Devnet.Eth.GetBalance.SendRequestAsync(recipient)).Value);
    }
}
