using Aspire.Hosting.Testing;
using System.Net;
using System.Net.Http.Json;
using System.Numerics;
using System.Text.Json;
using Nethereum.Web3;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Tests;

[Collection(SystemCollection.Name)]
public sealed class ChainWriteTests(SystemFixture system)
{
    private static string NewRecipient() => Nethereum.Signer.EthECKey.GenerateKey().GetPublicAddress();

    [Fact]
    public async Task NativeTransferIsMinedAndTheRecipientIsCredited()
    {
        var chain = await system.GetChainServiceAsync();
        var to = NewRecipient();

        var result = await chain.CreateClient().ToolAsync("transfer_native", new { to, amount = "0.25" });

        Assert.Equal("confirmed", result.GetProperty("status").GetString());
        Assert.StartsWith("0x", result.GetProperty("tx_hash").GetString());
        Assert.True(result.GetProperty("gas_used").GetInt64() >= 21_000);
        Assert.Equal(Web3.Convert.ToWei(0.25m), (await chain.Devnet.Eth.GetBalance.SendRequestAsync(to)).Value);
        var onChain = await chain.Devnet.Eth.Transactions.GetTransactionByHash.SendRequestAsync(result.GetProperty("tx_hash").GetString());
        Assert.Equal(2, (int)onChain.Type.Value); // EIP-1559
    }

    [Fact]
    public async Task TokenTransferAndContractWriteChangeContractState()
    {
        var chain = await system.GetChainServiceAsync();
        var client = chain.CreateClient();
        var to = NewRecipient();

        await client.ToolAsync("transfer_erc20", new { token = chain.Token, to, amount = "12.5" });
        var counter = Random.Shared.Next(1, 999);
        var write = await client.ToolAsync("write_contract", new { address = chain.Token, signature = "setCounter(uint256 value)", args = new[] { counter } });

        Assert.Equal("confirmed", write.GetProperty("status").GetString());
        var balance = await client.ToolAsync("get_erc20_balance", new { token = chain.Token, owner = to });
        Assert.Equal("12.5", balance.GetProperty("amount").GetString());
        var read = await client.ToolAsync("call_contract", new { address = chain.Token, signature = "counter() returns (uint256)" });
        Assert.Equal(counter.ToString(), read.GetProperty("values").GetProperty("out0").GetString());
    }

    [Fact]
    public async Task RevertingWriteReturnsItsReasonAndSendsNothing()
    {
        var chain = await system.GetChainServiceAsync();
        var nonce = await chain.WalletNonceAsync();

        var (status, error) = await chain.CreateClient().ToolErrorAsync("write_contract",
            new { address = chain.Token, signature = "setCounter(uint256)", args = new[] { 5000 } });

        Assert.Equal(400, status);
        Assert.Equal("EXECUTION_REVERTED", error.Code);
        Assert.Equal("TestToken: counter too large", error.Reason);
        Assert.Null(error.PolicyDecision); // the simulation failed before the gate
        Assert.Equal(nonce, await chain.WalletNonceAsync());
    }

    public static TheoryData<string, string, string> Denials => new()
    {
        { "over the value cap", "value", "POLICY_VALUE_CAP" },
        { "a contract off the allowlist", "contract", "POLICY_CONTRACT_NOT_ALLOWED" },
        { "a method off the allowlist", "method", "POLICY_METHOD_NOT_ALLOWED" },
        { "over the gas cap", "gas", "POLICY_GAS_CAP" },
    };

    [Theory]
    [MemberData(nameof(Denials))]
    public async Task PolicyDenialsHaveStableCodesAndLeaveTheNonceUnchanged(string _, string kind, string expected)
    {
        var chain = await system.GetChainServiceAsync();
        var nonce = await chain.WalletNonceAsync();
        object args = kind switch
        {
            "value" => new { tool = "transfer_native", to = NewRecipient(), amount = "2" },
            "contract" => new { tool = "write_contract", address = chain.OtherToken, signature = "setCounter(uint256)", args = new[] { 1 } },
            "method" => new { tool = "write_contract", address = chain.Token, signature = "approve(address,uint256)", args = new object[] { NewRecipient(), "1" } },
            _ => new { tool = "write_contract", address = chain.Token, signature = "burnGas(uint256)", args = new[] { 20 } },
        };
        var json = JsonSerializer.SerializeToElement(args);
        var tool = json.GetProperty("tool").GetString()!;

        var (status, error) = await chain.CreateClient().ToolErrorAsync(tool, json);

        Assert.Equal(403, status);
        Assert.Equal(expected, error.Code);
        Assert.Equal(expected, error.PolicyDecision);
        Assert.Equal(nonce, await chain.WalletNonceAsync());
    }
}

[Collection(SystemCollection.Name)]
public sealed class ChainSafetyTests(SystemFixture system)
{
    private static string NewRecipient() => Nethereum.Signer.EthECKey.GenerateKey().GetPublicAddress();

    [Fact]
    public async Task TokenLimitsApplyToEveryTokenTransferWhicheverToolEncodesIt()
    {
        var chain = await system.GetChainServiceAsync();
        var to = NewRecipient();
        var nonce = await chain.WalletNonceAsync();

        var (status, capped) = await chain.CreateClient().ToolErrorAsync("transfer_erc20", new { token = chain.Token, to, amount = "60" });
        Assert.Equal(403, status);
        Assert.Equal(("POLICY_TOKEN_CAP", "POLICY_TOKEN_CAP"), (capped.Code, capped.PolicyDecision));
        Assert.Contains("50 TT", capped.Message);
        // The same transfer encoded by hand through write_contract meets the same gate.
        var (_, raw) = await chain.CreateClient().ToolErrorAsync("write_contract", new
        {
            address = chain.Token, signature = "transfer(address to, uint256 value)", args = new object[] { to, Web3.Convert.ToWei(60).ToString() },
        });
        Assert.Equal("POLICY_TOKEN_CAP", raw.Code);
        // Above the token's approval threshold the write is parked.
        var (_, parked) = await chain.CreateClient().ToolErrorAsync("transfer_erc20", new { token = chain.Token, to, amount = "48" });
        Assert.Equal(("APPROVAL_REQUIRED", "APPROVAL_REQUIRED"), (parked.Code, parked.PolicyDecision));
        Assert.NotNull(parked.ApprovalId);
        Assert.Equal(nonce, await chain.WalletNonceAsync());

        // A task's token budget (80 TT) counts every transfer of the task.
        var task = chain.CreateClient(taskId: $"token-budget-{Guid.NewGuid():N}"[..40]);
        await task.ToolAsync("transfer_erc20", new { token = chain.Token, to, amount = "30" });
        await task.ToolAsync("write_contract", new { address = chain.Token, signature = "transfer(address,uint256)", args = new object[] { to, Web3.Convert.ToWei(30).ToString() } });
        var (_, overBudget) = await task.ToolErrorAsync("transfer_erc20", new { token = chain.Token, to, amount = "30" });
        Assert.Equal("POLICY_BUDGET_EXCEEDED", overBudget.Code);
        Assert.Contains("TT budget of the task", overBudget.Message);
        Assert.Equal(Web3.Convert.ToWei(60), await chain.Deployer.Eth.ERC20.GetContractService(chain.Token).BalanceOfQueryAsync(to));
    }

    [Fact]
    public async Task ABudgetSurvivesRedisLosingItsCounter()
    {
        var chain = await system.GetChainServiceAsync();
        var taskId = $"recount-{Guid.NewGuid():N}"[..40];
        var client = chain.CreateClient(taskId: taskId);
        var to = NewRecipient();
        await client.ToolAsync("transfer_native", new { to, amount = "0.4" });
        await client.ToolAsync("transfer_native", new { to, amount = "0.4" });

        // Redis restarts empty (here: the task's counter is deleted); the task budget is 1 ETH and 0.8 was sent.
        var redis = chain.GetService<StackExchange.Redis.IConnectionMultiplexer>().GetDatabase();
        Assert.True(await redis.KeyDeleteAsync($"budget:devnet:task:{taskId}"));
        var nonce = await chain.WalletNonceAsync();
        var (_, refused) = await client.ToolErrorAsync("transfer_native", new { to, amount = "0.4" });
        Assert.Equal(("POLICY_BUDGET_EXCEEDED", "POLICY_BUDGET_EXCEEDED"), (refused.Code, refused.PolicyDecision));
        Assert.Contains("budget of the task", refused.Message);
        Assert.Equal(nonce, await chain.WalletNonceAsync());
        // The recounted budget still allows what fits.
        await client.ToolAsync("transfer_native", new { to, amount = "0.2" });
        Assert.Equal(Web3.Convert.ToWei(1.0m), (await chain.Devnet.Eth.GetBalance.SendRequestAsync(to)).Value);
    }

    [Fact]
    public async Task TaskBudgetStopsTheWriteThatWouldOvershootIt()
    {
        var chain = await system.GetChainServiceAsync();
        var client = chain.CreateClient(taskId: $"budget-{Guid.NewGuid():N}");

        // The task budget is 1 ETH: two 0.4 ETH sends fit, the third would reach 1.2.
        await client.ToolAsync("transfer_native", new { to = NewRecipient(), amount = "0.4" });
        await client.ToolAsync("transfer_native", new { to = NewRecipient(), amount = "0.4" });
        var nonce = await chain.WalletNonceAsync();
        var (status, error) = await client.ToolErrorAsync("transfer_native", new { to = NewRecipient(), amount = "0.4" });

        Assert.Equal((403, "POLICY_BUDGET_EXCEEDED"), (status, error.Code));
        Assert.Equal(nonce, await chain.WalletNonceAsync());
        // Another task has its own budget.
        await chain.CreateClient(taskId: $"budget-{Guid.NewGuid():N}").ToolAsync("transfer_native", new { to = NewRecipient(), amount = "0.4" });
    }

    [Fact]
    public async Task WriteAboveTheThresholdWaitsForApprovalAndRunsOnceApproved()
    {
        var chain = await system.GetChainServiceAsync();
        var to = NewRecipient();
        var nonce = await chain.WalletNonceAsync();

        var (status, parked) = await chain.CreateClient().ToolErrorAsync("transfer_native", new { to, amount = "0.8" });
        Assert.Equal((409, "APPROVAL_REQUIRED", "APPROVAL_REQUIRED"), (status, parked.Code, parked.PolicyDecision));
        var approvalId = parked.ApprovalId;
        Assert.NotNull(approvalId);
        Assert.Equal(nonce, await chain.WalletNonceAsync());
        Assert.Equal(BigInteger.Zero, (await chain.Devnet.Eth.GetBalance.SendRequestAsync(to)).Value);

        using var notAllowed = await chain.CreateClient().PostAsync($"/api/approvals/{approvalId}/approve", null);
        Assert.Equal(HttpStatusCode.Forbidden, notAllowed.StatusCode);

        var operatorClient = chain.CreateClient(ChainServiceFixture.OperatorKey);
        using var approved = await operatorClient.PostAsync($"/api/approvals/{approvalId}/approve", null);
        Assert.True(approved.IsSuccessStatusCode, await approved.Content.ReadAsStringAsync());
        var result = (await approved.Content.ReadFromJsonAsync<WriteResult>(OpenMcpChainJson.Options))!;
        Assert.Equal(("confirmed", PolicyDecisions.Allowed), (result.Status, result.PolicyDecision));
        Assert.Equal(Web3.Convert.ToWei(0.8m), (await chain.Devnet.Eth.GetBalance.SendRequestAsync(to)).Value);
        var approval = (await operatorClient.GetFromJsonAsync<ApprovalResponse>($"/api/approvals/{approvalId}", OpenMcpChainJson.Options))!;
        Assert.Equal((ApprovalStatuses.Approved, result.TxHash, null), (approval.Status, approval.TxHash, approval.ErrorCode));
        Assert.Equal($"send 0.8 ETH to {Nethereum.Util.AddressUtil.Current.ConvertToChecksumAddress(to)}", approval.Summary);

        using var again = await operatorClient.PostAsync($"/api/approvals/{approvalId}/approve", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(Web3.Convert.ToWei(0.8m), (await chain.Devnet.Eth.GetBalance.SendRequestAsync(to)).Value);
    }

    [Fact]
    public async Task RejectedApprovalSendsNothing()
    {
        var chain = await system.GetChainServiceAsync();
        var to = NewRecipient();
        var (_, parked) = await chain.CreateClient().ToolErrorAsync("transfer_native", new { to, amount = "0.9" });
        var approvalId = parked.ApprovalId;
        var nonce = await chain.WalletNonceAsync();

        using var rejected = await chain.CreateClient(ChainServiceFixture.OperatorKey)
            .PostAsJsonAsync($"/api/approvals/{approvalId}/reject", new { reason = "not today" });

        var approval = (await rejected.Content.ReadFromJsonAsync<ApprovalResponse>(OpenMcpChainJson.Options))!;
        Assert.Equal((ApprovalStatuses.Rejected, "not today", null), (approval.Status, approval.Reason, approval.TxHash));
        Assert.Equal(nonce, await chain.WalletNonceAsync());
        Assert.Equal(BigInteger.Zero, (await chain.Devnet.Eth.GetBalance.SendRequestAsync(to)).Value);
    }

    [Fact]
    public async Task AnApprovedWriteThatCanNoLongerBeSentKeepsItsCodeOnTheApproval()
    {
        var chain = await system.GetChainServiceAsync();
        var task = chain.CreateClient(taskId: $"approved-over-{Guid.NewGuid():N}"[..40]);
        var to = NewRecipient();
        var (_, parked) = await task.ToolErrorAsync("transfer_native", new { to, amount = "0.8" });
        // While it waits, the task spends 0.8 of its 1 ETH budget: the parked 0.8 no longer fits.
        await task.ToolAsync("transfer_native", new { to = NewRecipient(), amount = "0.4" });
        await task.ToolAsync("transfer_native", new { to = NewRecipient(), amount = "0.4" });
        var nonce = await chain.WalletNonceAsync();

        var operatorClient = chain.CreateClient(ChainServiceFixture.OperatorKey);
        using var approved = await operatorClient.PostAsJsonAsync($"/api/approvals/{parked.ApprovalId}/approve", new { reason = "fine by me" });
        var refusal = ChainToolError.From(await approved.Content.ReadFromJsonAsync<JsonElement>());
        Assert.Equal(HttpStatusCode.Forbidden, approved.StatusCode);
        Assert.Equal(("POLICY_BUDGET_EXCEEDED", "POLICY_BUDGET_EXCEEDED"), (refusal?.Code, refusal?.PolicyDecision));

        // What a waiting task reads: approved, nothing sent, and why — as fields, not a reason to parse.
        var approval = (await operatorClient.GetFromJsonAsync<ApprovalResponse>($"/api/approvals/{parked.ApprovalId}", OpenMcpChainJson.Options))!;
        Assert.Equal((ApprovalStatuses.Approved, null, "POLICY_BUDGET_EXCEEDED"), (approval.Status, approval.TxHash, approval.ErrorCode));
        Assert.False(string.IsNullOrEmpty(approval.ErrorMessage));
        Assert.Equal("fine by me", approval.Reason);
        Assert.Equal(nonce, await chain.WalletNonceAsync());
        Assert.Equal(BigInteger.Zero, (await chain.Devnet.Eth.GetBalance.SendRequestAsync(to)).Value);
    }

    [Fact]
    public async Task TwentyParallelTransfersGetTwentyConsecutiveNoncesAndAllAreMined()
    {
        var chain = await system.GetChainServiceAsync();
        var start = await chain.WalletNonceAsync();
        var recipients = Enumerable.Range(0, 20).Select(_ => NewRecipient()).ToList();

        var results = await Task.WhenAll(recipients.Select(to =>
            chain.CreateClient(taskId: $"parallel-{Guid.NewGuid():N}").ToolAsync("transfer_native", new { to, amount = "0.01" })));

        var nonces = results.Select(r => r.GetProperty("nonce").GetInt64()).Order().ToList();
        Assert.Equal(Enumerable.Range(0, 20).Select(i => start + i), nonces);
        Assert.All(results, r => Assert.Equal("confirmed", r.GetProperty("status").GetString()));
        foreach (var to in recipients)
            Assert.Equal(Web3.Convert.ToWei(0.01m), (await chain.Devnet.Eth.GetBalance.SendRequestAsync(to)).Value);
    }

    [Fact]
    public async Task RepeatingAWriteWithItsIdempotencyKeyReturnsTheFirstResultAndSendsOnce()
    {
        var chain = await system.GetChainServiceAsync();
        var client = chain.CreateClient();
        var to = NewRecipient();
        var key = $"idem-{Guid.NewGuid():N}";

        var first = await client.ToolAsync("transfer_native", new { to, amount = "0.05", idempotency_key = key });
        var second = await client.ToolAsync("transfer_native", new { to, amount = "0.05", idempotency_key = key });
        var (_, reused) = await client.ToolErrorAsync("transfer_native", new { to, amount = "0.06", idempotency_key = key });

        Assert.Equal(first.GetProperty("tx_hash").GetString(), second.GetProperty("tx_hash").GetString());
        Assert.Equal("IDEMPOTENCY_KEY_REUSED", reused.Code);
        Assert.Equal(Web3.Convert.ToWei(0.05m), (await chain.Devnet.Eth.GetBalance.SendRequestAsync(to)).Value);
    }

    [Fact]
    public async Task SubscriptionReceivesDecodedEventsOnItsStream()
    {
        var chain = await system.GetChainServiceAsync();
        var client = chain.CreateClient();
        using var created = await client.PostAsJsonAsync("/api/subscriptions", new
        {
            address = chain.Token, event_signature = "CounterSet(address indexed by, uint256 value)",
        }, OpenMcpChain.Sdk.OpenMcpChainJson.Options);
        var subscription = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = subscription.GetProperty("id").GetString();

        await client.ToolAsync("write_contract", new { address = chain.Token, signature = "setCounter(uint256)", args = new[] { 321 } });

        JsonElement events = default;
        for (var i = 0; i < 50; i++)
        {
            events = await client.GetFromJsonAsync<JsonElement>($"/api/subscriptions/{id}/events");
            if (events.GetArrayLength() > 0) break;
            await Task.Delay(200);
        }
        var received = Assert.Single(events.EnumerateArray());
        Assert.Equal("321", received.GetProperty("args").GetProperty("value").GetString());
        Assert.Equal(chain.WalletAddress, received.GetProperty("args").GetProperty("by").GetString(), ignoreCase: true);

        var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync((await system.App.GetConnectionStringAsync("redis"))!);
        Assert.Equal(1, await redis.GetDatabase().StreamLengthAsync($"chain:events:{id}"));
    }
}
