using System.Net.Http.Json;
using System.Numerics;
using System.Text.Json;
using Nethereum.Hex.HexTypes;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Tests;

[Collection(SystemCollection.Name)]
public sealed class TaskFlowTests(SystemFixture system)
{
    private static readonly TimeSpan TaskTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task LatestBlockTaskSucceedsWithTheDevnetBlockAndAnOutcomeSignedByTheProofSigner()
    {
        // Mine a few blocks so the head is a number the agent can only know by asking the chain.
        var mined = Random.Shared.Next(3, 9);
        for (var i = 0; i < mined; i++)
        {
            await system.Devnet.Client.SendRequestAsync<string>("evm_mine");
        }
        var head = (long)(await system.Devnet.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value;
        Assert.True(head >= mined);

        var accepted = await system.Client.CreateTaskAsync(new CreateTaskRequest("What is the latest block number?"));
        Assert.Equal(TaskStatuses.Pending, accepted.Status);
        Assert.False(string.IsNullOrEmpty(accepted.TaskId));

        var task = await system.Client.FinishedAsync(accepted.TaskId, TaskTimeout);
        // ProofService's anchoring may mine a block while the task runs: the answer is the head at the time it asked.
        var headAfter = (long)(await system.Devnet.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value;

        Assert.True(task.Status == TaskStatuses.Succeeded, $"task ended {task.Status}: {task.Error}");
        var result = Assert.IsType<TaskResult>(task.Result);
        // The original daemon's types: the chain id and block as 0x-hex quantity strings, the observations readable text.
        Assert.Equal("0x7a69", result.ChainId);
        var block = HexQuantity.Parse(result.BlockNumber);
        Assert.InRange(block, head, headAfter);
        Assert.Contains(block.ToString(), result.Reply);
        Assert.False(string.IsNullOrWhiteSpace(result.Thought));
        var call = Assert.Single(result.ToolCalls);
        Assert.Equal("get_chain_info", call.Tool);
        Assert.False(call.IsError);
        Assert.StartsWith("get_chain_info(", result.Observations);
        Assert.Contains($"\"block_number\":{block}", result.Observations);

        var signer = await system.CreateClient("proofservice").GetFromJsonAsync<JsonElement>("/api/signer");
        var signerAddress = signer.GetProperty("address").GetString()!;
        var provenance = Assert.IsType<Provenance>(result.Provenance);
        Assert.Equal(signerAddress, provenance.Signer, ignoreCase: true);
        Assert.Equal("eip712", provenance.Scheme);
        Assert.Equal(signerAddress, ProvenanceVerifier.RecoverSigner(provenance), ignoreCase: true);
        Assert.True(ProvenanceVerifier.IsSignedBy(provenance, signerAddress));
        // The signature binds the readable outcome: an edited reply no longer matches what was signed.
        var edited = provenance with { Message = provenance.Message.Replace(result.Reply, result.Reply + " (edited)") };
        Assert.False(ProvenanceVerifier.TypedDataMatchesMessage(edited));
        Assert.False(ProvenanceVerifier.IsSignedBy(edited, signerAddress));

        // What was signed is this task's own outcome, not some other text.
        using var signed = JsonDocument.Parse(provenance.Message);
        Assert.Equal(task.TaskId, signed.RootElement.GetProperty("task_id").GetString());
        Assert.Equal(result.Reply, signed.RootElement.GetProperty("result").GetProperty("reply").GetString());
        Assert.Equal(result.BlockNumber, signed.RootElement.GetProperty("result").GetProperty("block_number").GetString());
        // The structured tool calls are signed too.
        Assert.Equal("get_chain_info", signed.RootElement.GetProperty("result").GetProperty("tool_calls")[0].GetProperty("tool").GetString());
    }

    [Fact]
    public async Task BalanceTaskReportsTheBalanceTheDevnetHolds()
    {
        const string address = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
        var wei = (await system.Devnet.Eth.GetBalance.SendRequestAsync(address)).Value;

        var accepted = await system.Client.CreateTaskAsync(new CreateTaskRequest($"What is the balance of {address}?"));
        var task = await system.Client.FinishedAsync(accepted.TaskId, TaskTimeout);

        Assert.True(task.Status == TaskStatuses.Succeeded, $"task ended {task.Status}: {task.Error}");
        Assert.Contains(wei.ToString(), task.Result!.Reply);
        Assert.Equal("get_balance", Assert.Single(task.Result.ToolCalls).Tool);
        Assert.Contains(wei.ToString(), task.Result.Observations);
    }

    [Fact]
    public async Task SubmittedTasksAreListedAndReadableById()
    {
        var accepted = await system.Client.CreateTaskAsync(new CreateTaskRequest("What chain is this?", Metadata: new()
        {
            ["team"] = JsonSerializer.SerializeToElement("treasury"),
        }));

        var byQuery = await system.Gateway.GetFromJsonAsync<TaskResponse>($"/api/v1/tasks?id={accepted.TaskId}", OpenMcpChainJson.Options);
        Assert.Equal(accepted.TaskId, byQuery!.Id);
        Assert.Equal("treasury", byQuery.Metadata["team"].GetString());

        var list = await system.Client.ListTasksAsync($"q={Uri.EscapeDataString("What chain is this?")}&limit=100");
        Assert.Contains(list.Tasks, t => t.TaskId == accepted.TaskId);
        Assert.True(list.Total >= 1);
        await system.Client.FinishedAsync(accepted.TaskId, TaskTimeout);
    }

    private const string SystemWallet = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"; // anvil #0, the AppHost's devnet wallet

    [Fact]
    public async Task MultiStepTaskReadsABalanceThenSendsAMinedTransferAndTheAttestationNamesIt()
    {
        const string watched = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
        var recipient = Nethereum.Signer.EthECKey.GenerateKey().GetPublicAddress();

        var accepted = await system.Client.CreateTaskAsync(new CreateTaskRequest($"Check the balance of {watched}, then send 0.05 ETH to {recipient}"));
        var task = await system.Client.FinishedAsync(accepted.TaskId, TaskTimeout);

        Assert.True(task.Status == TaskStatuses.Succeeded, $"task ended {task.Status}: {task.Error}");
        var result = task.Result!;
        Assert.Equal(["get_balance", "transfer_native"], result.ToolCalls.Select(o => o.Tool));
        Assert.All(result.ToolCalls, o => Assert.False(o.IsError, o.Output));
        Assert.Equal(Nethereum.Web3.Web3.Convert.ToWei(0.05m), (await system.Devnet.Eth.GetBalance.SendRequestAsync(recipient)).Value);
        var write = JsonDocument.Parse(result.ToolCalls[1].Output).RootElement;
        var txHash = write.GetProperty("tx_hash").GetString()!;
        Assert.Equal($"{task.TaskId}:w1", write.GetProperty("idempotency_key").GetString());
        var receipt = await system.Devnet.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(txHash);
        Assert.Equal(1, (int)receipt.Status.Value);
        Assert.Equal(SystemWallet, receipt.From, ignoreCase: true);
        Assert.Contains(txHash, result.Reply);
        // The write carried the task's per-step idempotency key, and the signed outcome lists its transaction.
        var signed = result.Provenance!.TypedData!.Value.GetProperty("message");
        Assert.Contains(txHash.ToLowerInvariant(), signed.GetProperty("txHashes").EnumerateArray().Select(h => h.GetString()));
    }

    [Fact]
    public async Task TransferOverThePolicyCapEndsWithThePolicyCodeAndSendsNothing()
    {
        var recipient = Nethereum.Signer.EthECKey.GenerateKey().GetPublicAddress();
        var nonce = await system.Devnet.Eth.Transactions.GetTransactionCount.SendRequestAsync(SystemWallet, Nethereum.RPC.Eth.DTOs.BlockParameter.CreatePending());

        var accepted = await system.Client.CreateTaskAsync(new CreateTaskRequest($"Send 20 ETH to {recipient}"));
        var task = await system.Client.FinishedAsync(accepted.TaskId, TaskTimeout);

        Assert.Equal(TaskStatuses.Failed, task.Status);
        Assert.Equal("POLICY_VALUE_CAP", task.Error?.Code);
        Assert.Equal(0, (long)(await system.Devnet.Eth.GetBalance.SendRequestAsync(recipient)).Value);
        Assert.Equal(nonce.Value, (await system.Devnet.Eth.Transactions.GetTransactionCount.SendRequestAsync(SystemWallet, Nethereum.RPC.Eth.DTOs.BlockParameter.CreatePending())).Value);
    }
}
