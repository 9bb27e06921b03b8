using System.Net.Http.Json;
using System.Text.Json;
using Nethereum.Hex.HexConvertors.Extensions;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;
using OpenMcpChain.Sdk.Proofs;

namespace OpenMcpChain.Tests;

/// <summary>The whole system stopped and started again on the same data: nothing a user had is gone or changed.</summary>
[Collection(RestartCollection.Name)]
public sealed class RestartTests
{
    private static readonly TimeSpan TaskTimeout = TimeSpan.FromSeconds(60);
    private const string Recipient = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
    // The Gateway's token keys derive from this parameter, which a deployment keeps (user secrets, the azd environment); a
    // token names its issuer, the Gateway's public URL, which a deployment keeps too (each test run picks new ports).
    private static readonly string[] TokenSettings =
        ["--Parameters:gateway-signing-key=restart-test-token-key-0123456789", "--Gateway:Auth:PublicBaseUrl=http://gateway.test"];

    [Fact]
    public async Task AGracefulRestartKeepsTasksProofsApprovalsTheLogAndTheChain()
    {
        var data = Directory.CreateTempSubdirectory("openmcp-restart-").FullName;
        try
        {
            string readId, transferId, parkedId, approvalId, contract;
            TaskResponse readBefore, transferBefore;
            JsonElement headBefore;
            long anchoredBefore, chainHeadBefore;
            TokenResponse tokenBefore;
            await using (var first = await SystemRun.StartAsync(data, TokenSettings))
            {
                tokenBefore = await new OpenMcpChainClient(first.CreateClient("gateway"))
                    .AuthenticateAsync("operator", await first.ParameterAsync("gateway-operator-password"));
                readId = (await first.Client.CreateTaskAsync(new CreateTaskRequest("What is the latest block number?"))).TaskId;
                transferId = (await first.Client.CreateTaskAsync(new CreateTaskRequest($"Send 0.01 ETH to {Recipient}"))).TaskId;
                parkedId = (await first.Client.CreateTaskAsync(new CreateTaskRequest($"Send 6 ETH to {Recipient}"))).TaskId;
                Assert.Equal(TaskStatuses.Succeeded, (await first.Client.WaitForTaskAsync(readId, TaskTimeout)).Status);
                Assert.Equal(TaskStatuses.Succeeded, (await first.Client.WaitForTaskAsync(transferId, TaskTimeout)).Status);
                approvalId = (await first.WaitForStatusAsync(parkedId, TaskStatuses.AwaitingApproval)).ApprovalId!;
                Assert.False(string.IsNullOrEmpty(approvalId));

                // Stop once both finished tasks are anchored, so their provenance is final and must come back to the byte.
                readBefore = await first.WaitForAnchoredAsync(readId);
                transferBefore = await first.WaitForAnchoredAsync(transferId);
                contract = (await first.Gateway.GetFromJsonAsync<JsonElement>("api/v1/anchors/contract")).GetProperty("address").GetString()!;
                anchoredBefore = (await first.Gateway.GetFromJsonAsync<JsonElement>("api/v1/anchors?limit=1"))[0]
                    .GetProperty("anchor").GetProperty("tree_size").GetInt64();
                headBefore = await first.Gateway.GetFromJsonAsync<JsonElement>("api/v1/log/tree-head");
                chainHeadBefore = (long)(await first.Devnet.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value;
            }

            await using var second = await SystemRun.StartAsync(data, TokenSettings);
            // A token and a refresh token issued before the restart still work.
            using (var before = second.CreateClient("gateway"))
            {
                before.DefaultRequestHeaders.Authorization = new("Bearer", tokenBefore.AccessToken);
                Assert.True((await before.GetAsync($"api/v1/tasks/{readId}")).IsSuccessStatusCode);
                using var renewed = await before.PostAsJsonAsync("api/v1/auth/token", new { grant_type = "refresh_token", refresh_token = tokenBefore.RefreshToken });
                Assert.True(renewed.IsSuccessStatusCode, await renewed.Content.ReadAsStringAsync());
            }
            // The same tasks, with identical results and provenance.
            AssertSameTask(readBefore, await second.Client.GetTaskAsync(readId));
            AssertSameTask(transferBefore, await second.Client.GetTaskAsync(transferId));
            var stats = await second.Gateway.GetFromJsonAsync<JsonElement>("api/v1/tasks/stats");
            Assert.Equal(3, stats.GetProperty("total").GetInt32());
            // The chain is the one that was left, not a new devnet.
            Assert.True((long)(await second.Devnet.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value >= chainHeadBefore);
            var receipt = await second.Devnet.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(
                transferBefore.Result!.ToolCalls.Single(o => o.Tool == "transfer_native").Output is var output
                    ? JsonDocument.Parse(output).RootElement.GetProperty("tx_hash").GetString() : null);
            Assert.NotNull(receipt);

            // The log grew from the old head: a consistency proof links them, and the whole log still verifies.
            var oldSize = headBefore.GetProperty("tree_size").GetInt64();
            var head = await second.Gateway.GetFromJsonAsync<JsonElement>("api/v1/log/tree-head");
            var newSize = head.GetProperty("tree_size").GetInt64();
            Assert.True(newSize >= oldSize);
            var consistency = await second.Gateway.GetFromJsonAsync<JsonElement>($"api/v1/log/proofs/consistency?first={oldSize}&second={newSize}");
            Assert.True(MerkleProof.VerifyConsistency(oldSize, newSize,
                headBefore.GetProperty("root").GetString()!.HexToByteArray(), head.GetProperty("root").GetString()!.HexToByteArray(),
                [.. consistency.GetProperty("proof").EnumerateArray().Select(p => p.GetString()!.HexToByteArray())]));
            var verified = await second.CreateClient("proofservice").GetFromJsonAsync<JsonElement>("api/log/verify");
            Assert.True(verified.GetProperty("ok").GetBoolean(), verified.GetRawText());

            // The parked approval is still there to decide, and deciding it finishes its task.
            using var approved = await (await second.ChainOperatorAsync()).PostAsJsonAsync($"/api/approvals/{approvalId}/approve", new { reason = "after restart" });
            Assert.True(approved.IsSuccessStatusCode, await approved.Content.ReadAsStringAsync());
            Assert.Equal(TaskStatuses.Succeeded, (await second.Client.WaitForTaskAsync(parkedId, TaskTimeout)).Status);

            // Anchoring goes on from where it stopped, into the same contract.
            Assert.Equal(contract, (await second.Gateway.GetFromJsonAsync<JsonElement>("api/v1/anchors/contract")).GetProperty("address").GetString());
            await second.WaitUntilAsync(async () => (await second.Gateway.GetFromJsonAsync<JsonElement>("api/v1/anchors?limit=1"))[0]
                .GetProperty("anchor").GetProperty("tree_size").GetInt64() > anchoredBefore, "a new anchor after the restart");
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static void AssertSameTask(TaskResponse before, TaskResponse after)
    {
        Assert.Equal(before.Status, after.Status);
        Assert.Equal(before.Goal, after.Goal);
        Assert.Equal(JsonSerializer.Serialize(before.Result, OpenMcpChainJson.Options), JsonSerializer.Serialize(after.Result, OpenMcpChainJson.Options));
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RestartCollection
{
    public const string Name = "restart";
}
