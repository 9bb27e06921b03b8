using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Client;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Web3;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;
using OpenMcpChain.Sdk.Proofs;

namespace OpenMcpChain.Tests;

/// <summary>The approval inbox through the Gateway: what a person judges, who may decide, the decision on the record.</summary>
[Collection(SystemCollection.Name)]
public sealed class ApprovalInboxTests(SystemFixture system)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(30);

    private static string NewAddress() => Nethereum.Signer.EthECKey.GenerateKey().GetPublicAddress();

    /// <summary>A Gateway client signed in as <paramref name="user"/>, whose password is the AppHost's parameter <c>gateway-{user}-password</c>.</summary>
    private async Task<HttpClient> SignedInAsync(string user)
    {
        var http = OAuthClient.Anonymous(system);
        await new OpenMcpChainClient(http).AuthenticateAsync(user, await system.ParameterAsync($"gateway-{user}-password"));
        return http;
    }

    private Task<HttpClient> ApproverAsync() => SignedInAsync("approver");

    private async Task<ApprovalResponse> ParkedApprovalAsync(string taskId)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var task = await system.Client.GetTaskAsync(taskId);
            if (task.Status == TaskStatuses.AwaitingApproval)
            {
                var page = (await system.Gateway.GetFromJsonAsync<ApprovalListResponse>($"/api/v1/approvals?task_id={taskId}", OpenMcpChainJson.Options))!;
                return Assert.Single(page.Approvals);
            }
            Assert.False(TaskStatuses.IsFinal(task.Status), $"task {taskId} ended {task.Status} without parking: {task.Error?.Message}");
            Assert.True(DateTime.UtcNow < deadline, $"task {taskId} did not park within {Timeout.TotalSeconds} s");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task ASecondPersonApprovesFromTheInboxAndTheTaskSendsOnceWithTheDecisionInItsAttestation()
    {
        using var test = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        using var approver = await ApproverAsync();
        using var viewer = await SignedInAsync("viewer");
        var recipient = NewAddress();

        // The inbox's live feed, opened before the write exists: it must announce it.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/approvals/events");
        using var stream = await approver.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, test.Token).WaitAsync(ReadTimeout, test.Token);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);
        using var events = new EventStreamReader(await stream.Content.ReadAsStreamAsync(test.Token), ReadTimeout);

        var goal = $"Send 6 ETH to {recipient}";
        var accepted = await system.Client.CreateTaskAsync(new CreateTaskRequest(goal), ct: test.Token);
        var (createdId, created) = await NextWithIdForAsync(events, accepted.TaskId, test.Token);
        Assert.Equal((ApprovalEvent.Created, ApprovalStatuses.Pending), (created.Type, created.Approval.Status));

        // What the approver reads: the network, wallet, recipient, value, the simulation, the task's goal and who asked.
        var approval = await ParkedApprovalAsync(accepted.TaskId);
        Assert.Equal(created.Approval.Id, approval.Id);
        Assert.Equal((goal, "operator", "agentservice"), (approval.Goal, approval.RequestedBy, approval.Caller));
        Assert.Equal(("6", "6000000000000000000", "native"), (approval.ValueEther, approval.Value, approval.Kind));
        Assert.Equal(recipient, approval.To, ignoreCase: true);
        Assert.Equal(("devnet", 31337L), (approval.Network, approval.ChainId));
        Assert.StartsWith("0x", approval.From);
        Assert.True(approval.Simulation is { Gas: >= 21_000, Outcome: "success" }, $"simulation: {approval.Simulation}");
        Assert.Null(approval.Method);
        Assert.Null(approval.Token);
        Assert.InRange(approval.ExpiresAt!.Value - approval.CreatedAt, TimeSpan.FromHours(24) - TimeSpan.FromSeconds(1), TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1));
        Assert.Equal(approval.Id, (await system.Gateway.GetFromJsonAsync<ApprovalResponse>($"/api/v1/approvals/{approval.Id}", OpenMcpChainJson.Options))!.Id);

        // The operator asked for it and may not approve it; the viewer may only read.
        using (var own = await system.Gateway.PostAsJsonAsync($"/api/v1/approvals/{approval.Id}/approve", new { reason = "mine" }, test.Token))
        {
            Assert.Equal(HttpStatusCode.Conflict, own.StatusCode);
            Assert.Equal(ChainErrorCodes.SelfApprovalForbidden, await OAuthClient.CodeAsync(own));
        }
        using (var read = await viewer.GetAsync($"/api/v1/approvals?task_id={accepted.TaskId}", test.Token))
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        using (var notAllowed = await viewer.PostAsync($"/api/v1/approvals/{approval.Id}/approve", null, test.Token))
            Assert.Equal(HttpStatusCode.Forbidden, notAllowed.StatusCode);
        Assert.Equal(0, (long)(await system.Devnet.Eth.GetBalance.SendRequestAsync(recipient)).Value);

        using (var approved = await approver.PostAsJsonAsync($"/api/v1/approvals/{approval.Id}/approve", new { reason = "within this week's limits" }, test.Token))
            Assert.True(approved.IsSuccessStatusCode, await approved.Content.ReadAsStringAsync(test.Token));
        var decided = await NextEventForAsync(events, accepted.TaskId, test.Token);
        Assert.Equal((ApprovalEvent.Decided, ApprovalStatuses.Approved, "approver"), (decided.Type, decided.Approval.Status, decided.Approval.DecidedBy));
        // A client that lost the feed after the creation resumes from it and misses nothing.
        using (var resume = new HttpRequestMessage(HttpMethod.Get, "/api/v1/approvals/events") { Headers = { { "Last-Event-ID", createdId } } })
        using (var resumed = await approver.SendAsync(resume, HttpCompletionOption.ResponseHeadersRead, test.Token).WaitAsync(ReadTimeout, test.Token))
        using (var replay = new EventStreamReader(await resumed.Content.ReadAsStreamAsync(test.Token), ReadTimeout))
        {
            var again = await NextEventForAsync(replay, accepted.TaskId, test.Token);
            Assert.Equal((ApprovalEvent.Decided, approval.Id), (again.Type, again.Approval.Id));
        }

        var task = await system.Client.FinishedAsync(accepted.TaskId, Timeout);
        Assert.True(task.Status == TaskStatuses.Succeeded, $"{task.Status}: {task.Error?.Message}");
        Assert.Equal(Web3.Convert.ToWei(6), (await system.Devnet.Eth.GetBalance.SendRequestAsync(recipient)).Value);

        var final = (await system.Gateway.GetFromJsonAsync<ApprovalResponse>($"/api/v1/approvals/{approval.Id}", OpenMcpChainJson.Options, test.Token))!;
        Assert.Equal((ApprovalStatuses.Approved, "approver", "within this week's limits"), (final.Status, final.DecidedBy, final.Reason));
        Assert.StartsWith("0x", final.TxHash);
        Assert.NotNull(final.DecisionLogIndex);
        using (var again = await approver.PostAsync($"/api/v1/approvals/{approval.Id}/approve", null, test.Token))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
            Assert.Equal(ChainErrorCodes.ApprovalAlreadyDecided, await OAuthClient.CodeAsync(again));
        }

        // The decision is its own log entry, among the task's entries the attestation signed over.
        var (provenance, bundle) = await SealedAsync(task.TaskId, test.Token);
        var entry = Assert.Single(bundle.Entries, e => e.Index == final.DecisionLogIndex);
        var logged = JsonDocument.Parse(entry.Entry).RootElement;
        Assert.Equal(("approval_decision", approval.Id, task.TaskId, "approved", "approver"),
            (logged.GetProperty("type").GetString(), logged.GetProperty("approval_id").GetString(), logged.GetProperty("task_id").GetString(),
             logged.GetProperty("decision").GetString(), logged.GetProperty("decided_by").GetString()));
        Assert.Equal(final.TxHash, logged.GetProperty("tx_hash").GetString());
        Assert.True(entry.Index < provenance.Log!.Index, $"decision at {entry.Index}, outcome at {provenance.Log.Index}");
        var signedOver = bundle.Entries.Where(e => e.Index < provenance.Log.Index).ToList();
        var message = provenance.TypedData!.Value.GetProperty("message");
        Assert.Equal(signedOver.Count, message.GetProperty("stepLogSize").GetInt64());
        Assert.Equal(MerkleProof.RootOf([.. signedOver.Select(e => e.LeafHash.HexToByteArray())]).ToHex(true),
            message.GetProperty("stepLogRoot").GetString(), ignoreCase: true);
    }

    [Fact]
    public async Task ARejectedRequestEndsItsTaskRejectedWithTheApproversReasonAndSendsNothing()
    {
        using var approver = await ApproverAsync();
        var recipient = NewAddress();
        var accepted = await system.Client.CreateTaskAsync(new CreateTaskRequest($"Send 6 ETH to {recipient}"));
        var approval = await ParkedApprovalAsync(accepted.TaskId);

        using (var rejected = await approver.PostAsJsonAsync($"/api/v1/approvals/{approval.Id}/reject", new { reason = "not to an unknown address" }))
        {
            Assert.True(rejected.IsSuccessStatusCode, await rejected.Content.ReadAsStringAsync());
            var body = (await rejected.Content.ReadFromJsonAsync<ApprovalResponse>(OpenMcpChainJson.Options))!;
            Assert.Equal((ApprovalStatuses.Rejected, "approver"), (body.Status, body.DecidedBy));
        }
        var task = await system.Client.FinishedAsync(accepted.TaskId, Timeout);
        Assert.Equal((TaskStatuses.Rejected, ErrorCodes.ApprovalRejected), (task.Status, task.Error?.Code));
        Assert.Contains("not to an unknown address", task.Error!.Message);
        Assert.Equal(0, (long)(await system.Devnet.Eth.GetBalance.SendRequestAsync(recipient)).Value);
        using var approveAfter = await approver.PostAsync($"/api/v1/approvals/{approval.Id}/approve", null);
        Assert.Equal(ChainErrorCodes.ApprovalAlreadyDecided, await OAuthClient.CodeAsync(approveAfter));
        var listed = (await approver.GetFromJsonAsync<ApprovalListResponse>(
            $"/api/v1/approvals?status=rejected&requested_by=operator&caller=agentservice&limit=100", OpenMcpChainJson.Options))!;
        Assert.Contains(listed.Approvals, a => a.Id == approval.Id && a.DecisionLogIndex is not null);
        Assert.All(listed.Approvals, a => Assert.Equal(ApprovalStatuses.Rejected, a.Status));
    }

    [Fact]
    public async Task ARequestWithdrawnByCancellingItsTaskCanNoLongerBeApproved()
    {
        using var approver = await ApproverAsync();
        var recipient = NewAddress();
        var accepted = await system.Client.CreateTaskAsync(new CreateTaskRequest($"Send 6 ETH to {recipient}"));
        var approval = await ParkedApprovalAsync(accepted.TaskId);

        using (var cancel = await system.Gateway.PostAsync($"/api/v1/tasks/{accepted.TaskId}/cancel", null))
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        using var late = await approver.PostAsync($"/api/v1/approvals/{approval.Id}/approve", null);
        Assert.Equal((HttpStatusCode.Conflict, ChainErrorCodes.ApprovalWithdrawn), (late.StatusCode, await OAuthClient.CodeAsync(late)));
        var withdrawn = (await approver.GetFromJsonAsync<ApprovalResponse>($"/api/v1/approvals/{approval.Id}", OpenMcpChainJson.Options))!;
        Assert.Equal((ApprovalStatuses.Withdrawn, null), (withdrawn.Status, withdrawn.TxHash));
        Assert.Equal(0, (long)(await system.Devnet.Eth.GetBalance.SendRequestAsync(recipient)).Value);
    }

    [Theory]
    [InlineData("limit=0", "INVALID_LIMIT")]
    [InlineData("limit=abc", "INVALID_LIMIT")]
    [InlineData("limit=1.5", "INVALID_LIMIT")]
    [InlineData("offset=-1", "INVALID_OFFSET")]
    [InlineData("offset=x", "INVALID_OFFSET")]
    [InlineData("status=pending,sleeping", "INVALID_STATUS")]
    public async Task BadPagingAndFiltersAnswerTheTaskListsCodes(string query, string code)
    {
        using var response = await system.Gateway.GetAsync($"/api/v1/approvals?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(code, await OAuthClient.CodeAsync(response));
    }

    [Fact]
    public async Task TheListPagesNewestFirstAndUnknownOrInternalRoutesAreRefused()
    {
        // Two requests at least, so the paging below is always checked (the other tests may not have run yet).
        var existing = (await system.Gateway.GetFromJsonAsync<ApprovalListResponse>("/api/v1/approvals?limit=2", OpenMcpChainJson.Options))!.Total;
        var parked = new List<string>();
        for (var i = existing; i < 2; i++)
        {
            var accepted = await system.Client.CreateTaskAsync(new CreateTaskRequest($"Send 6 ETH to {NewAddress()}"));
            await ParkedApprovalAsync(accepted.TaskId);
            parked.Add(accepted.TaskId);
        }
        var capped = (await system.Gateway.GetFromJsonAsync<ApprovalListResponse>("/api/v1/approvals?limit=1000&status=", OpenMcpChainJson.Options))!;
        Assert.True(capped.Approvals.Count <= 100);
        var all = (await system.Gateway.GetFromJsonAsync<ApprovalListResponse>("/api/v1/approvals?limit=100", OpenMcpChainJson.Options))!;
        Assert.Equal(all.Approvals.OrderByDescending(a => a.CreatedAt).Select(a => a.Id), all.Approvals.Select(a => a.Id));
        var first = (await system.Gateway.GetFromJsonAsync<ApprovalListResponse>("/api/v1/approvals?limit=1", OpenMcpChainJson.Options))!;
        Assert.Equal((1, true, 1), (first.Approvals.Count, first.HasMore, first.NextOffset));
        Assert.Equal(all.Approvals[0].Id, first.Approvals[0].Id);
        var second = (await system.Gateway.GetFromJsonAsync<ApprovalListResponse>("/api/v1/approvals?limit=1&offset=1", OpenMcpChainJson.Options))!;
        Assert.Equal(all.Approvals[1].Id, Assert.Single(second.Approvals).Id);
        foreach (var taskId in parked)
            using (var cancel = await system.Gateway.PostAsync($"/api/v1/tasks/{taskId}/cancel", null))
                Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);

        using var approver = await ApproverAsync();
        using var unknown = await approver.PostAsync($"/api/v1/approvals/{Guid.NewGuid()}/approve", null);
        Assert.Equal((HttpStatusCode.NotFound, ChainErrorCodes.ApprovalNotFound), (unknown.StatusCode, await OAuthClient.CodeAsync(unknown)));
        using var missing = await approver.GetAsync($"/api/v1/approvals/{Guid.NewGuid()}");
        Assert.Equal((HttpStatusCode.NotFound, ChainErrorCodes.ApprovalNotFound), (missing.StatusCode, await OAuthClient.CodeAsync(missing)));
        // Withdrawal is the agent's, inside; the public edge has no such route.
        using var withdraw = await approver.PostAsync($"/api/v1/approvals/{Guid.NewGuid()}/withdraw", null);
        Assert.True(withdraw.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed, withdraw.StatusCode.ToString());
        using var anonymous = OAuthClient.Anonymous(system);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/approvals")).StatusCode);
        using var badResume = new HttpRequestMessage(HttpMethod.Get, "/api/v1/approvals/events");
        badResume.Headers.Add("Last-Event-ID", "yesterday");
        using var refused = await approver.SendAsync(badResume);
        Assert.Equal((HttpStatusCode.BadRequest, ChainErrorCodes.InvalidArgument), (refused.StatusCode, await OAuthClient.CodeAsync(refused)));
    }

    [Fact]
    public async Task AnErc20TransferShowsItsTokenRecipientAmountAndDecodedMethodWithTheTasksGoal()
    {
        var chain = await system.GetChainServiceAsync();
        var to = NewAddress();
        var client = chain.CreateClient(taskId: $"erc20-approval-{Guid.NewGuid():N}"[..40]);
        var goal = "Pay the supplier 48 TT — 供应商付款";
        client.DefaultRequestHeaders.Add("X-Task-Submitter", "alice");
        client.DefaultRequestHeaders.Add("X-Task-Goal", Base64Url.EncodeToString(Encoding.UTF8.GetBytes(goal)));

        var (_, parked) = await client.ToolErrorAsync("transfer_erc20", new { token = chain.Token, to, amount = "48" });
        Assert.Equal(ChainErrorCodes.ApprovalRequired, parked.Code);
        var operatorClient = chain.CreateClient(ChainServiceFixture.OperatorKey);
        var approval = (await operatorClient.GetFromJsonAsync<ApprovalResponse>($"/api/approvals/{parked.ApprovalId}", OpenMcpChainJson.Options))!;
        Assert.Equal(("erc20", "0", "0", goal, "alice"), (approval.Kind, approval.Value, approval.ValueEther, approval.Goal, approval.RequestedBy));
        Assert.Equal(to, approval.To, ignoreCase: true);
        Assert.Equal(chain.Token, approval.Token!.Address, ignoreCase: true);
        Assert.Equal(("48000000000000000000", "TT", 18, "48"), (approval.Token.Amount, approval.Token.Symbol, approval.Token.Decimals, approval.Token.AmountFormatted));
        Assert.Equal(("transfer(address,uint256)", "0xa9059cbb"), (approval.Method!.Signature, approval.Method.Selector));
        Assert.Equal(["address", "uint256"], approval.Method.Arguments.Select(a => a.Type));
        Assert.Equal(to, approval.Method.Arguments[0].Value, ignoreCase: true);
        Assert.Equal("48000000000000000000", approval.Method.Arguments[1].Value);

        // The same transfer through write_contract names its own parameters; the recipient is then the contract called.
        var raw = chain.CreateClient();
        raw.DefaultRequestHeaders.Add("X-Task-Goal", "%%not base64%%");
        var (_, parkedCall) = await raw.ToolErrorAsync("write_contract", new
        {
            address = chain.Token, signature = "transfer(address to, uint256 value)", args = new object[] { to, Web3.Convert.ToWei(46).ToString() },
        });
        var call = (await operatorClient.GetFromJsonAsync<ApprovalResponse>($"/api/approvals/{parkedCall.ApprovalId}", OpenMcpChainJson.Options))!;
        Assert.Equal(("contract", null, null), (call.Kind, call.Goal, call.RequestedBy)); // a malformed goal is ignored
        Assert.Equal(chain.Token, call.To, ignoreCase: true);
        Assert.Equal(["to", "value"], call.Method!.Arguments.Select(a => a.Name));
        Assert.Equal("46", call.Token!.AmountFormatted);
    }

    [Fact]
    public async Task AnMcpCallNamesItsTaskSubmitterAndGoalInItsMetaWhichOnlyADirectCallerMayDo()
    {
        // The agent keeps one MCP session per process and names each call's task in the call's _meta.
        var chain = await system.GetChainServiceAsync();
        var task = $"meta-approval-{Guid.NewGuid():N}"[..40];
        const string goal = "Pay the supplier 48 TT — 供应商付款";
        JsonObject Meta() => new() { [ChainToolMeta.TaskId] = task, [ChainToolMeta.TaskSubmitter] = "alice", [ChainToolMeta.TaskGoal] = goal };
        async Task<ApprovalResponse> ParkedAsync(string apiKey)
        {
            await using var mcp = await chain.ConnectMcpAsync(apiKey);
            using var deadline = new CancellationTokenSource(ChainTestHelpers.CallDeadline);
            var parked = (await mcp.CallToolAsync("transfer_erc20", new Dictionary<string, object?> { ["token"] = chain.Token, ["to"] = NewAddress(), ["amount"] = "48" },
                options: new ModelContextProtocol.RequestOptions { Meta = Meta() }, cancellationToken: deadline.Token)).Error();
            Assert.Equal(ChainErrorCodes.ApprovalRequired, parked.Code);
            return (await chain.CreateClient(ChainServiceFixture.OperatorKey).GetFromJsonAsync<ApprovalResponse>($"/api/approvals/{parked.ApprovalId}", OpenMcpChainJson.Options))!;
        }

        var named = await ParkedAsync(ChainServiceFixture.AgentKey);
        Assert.Equal((task, goal, "alice"), (named.TaskId, named.Goal, named.RequestedBy));

        // A caller that relays end users passes on what they send: a user's _meta names no task, goal or requester.
        var relayed = await ParkedAsync(ChainServiceFixture.RelayKey);
        Assert.Equal((null, null, null), (relayed.TaskId, relayed.Goal, relayed.RequestedBy));
    }

    /// <summary>The next event of the feed about <paramref name="taskId"/>'s approval (other tasks' events are skipped).</summary>
    private static async Task<ApprovalEvent> NextEventForAsync(EventStreamReader events, string taskId, CancellationToken ct) =>
        (await NextWithIdForAsync(events, taskId, ct)).Event;

    private static async Task<(string Id, ApprovalEvent Event)> NextWithIdForAsync(EventStreamReader events, string taskId, CancellationToken ct)
    {
        while (true)
        {
            var next = await events.NextAsync(ct);
            Assert.True(next is not null, "the approval feed ended");
            Assert.Equal("approval", next.Event);
            Assert.False(string.IsNullOrEmpty(next.Id));
            var evt = JsonSerializer.Deserialize<ApprovalEvent>(next.Data, OpenMcpChainJson.Options)!;
            if (evt.Approval.TaskId == taskId) return (next.Id!, evt);
        }
    }

    /// <summary>The task's attestation and its proof bundle once the bundle holds the outcome entry.</summary>
    private async Task<(Provenance, ProofBundle)> SealedAsync(string taskId, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            using var attested = await system.Gateway.GetAsync($"/api/v1/attestations/{taskId}", ct);
            if (attested.IsSuccessStatusCode)
            {
                var provenance = (await attested.Content.ReadFromJsonAsync<Provenance>(OpenMcpChainJson.Options, ct))!;
                using var bundled = await system.Gateway.GetAsync($"/api/v1/bundles/{taskId}", ct);
                if (bundled.IsSuccessStatusCode && provenance.Log is not null
                    && (await bundled.Content.ReadFromJsonAsync<ProofBundle>(OpenMcpChainJson.Options, ct))! is var bundle
                    && bundle.Entries.Any(e => e.Index == provenance.Log.Index))
                    return (provenance, bundle);
            }
            Assert.True(DateTime.UtcNow < deadline, $"task {taskId} was not sealed within {Timeout.TotalSeconds} s");
            await Task.Delay(250, ct);
        }
    }
}
