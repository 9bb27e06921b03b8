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

        var task = await system.Client.WaitForTaskAsync(accepted.TaskId, TaskTimeout);
        // ProofService's anchoring may mine a block while the task runs: the answer is the head at the time it asked.
        var headAfter = (long)(await system.Devnet.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value;

        Assert.True(task.Status == TaskStatuses.Succeeded, $"task ended {task.Status}: {task.Error}");
        var result = Assert.IsType<TaskResult>(task.Result);
        Assert.Equal(31337, result.ChainId);
        Assert.InRange(result.BlockNumber, head, headAfter);
        Assert.Contains(result.BlockNumber.ToString(), result.Reply);
        Assert.False(string.IsNullOrWhiteSpace(result.Thought));
        var observation = Assert.Single(result.Observations);
        Assert.Equal("get_chain_info", observation.Tool);
        Assert.False(observation.IsError);

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
        Assert.Equal(result.BlockNumber, signed.RootElement.GetProperty("result").GetProperty("block_number").GetInt64());
    }

    [Fact]
    public async Task BalanceTaskReportsTheBalanceTheDevnetHolds()
    {
        const string address = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
        var wei = (await system.Devnet.Eth.GetBalance.SendRequestAsync(address)).Value;

        var accepted = await system.Client.CreateTaskAsync(new CreateTaskRequest($"What is the balance of {address}?"));
        var task = await system.Client.WaitForTaskAsync(accepted.TaskId, TaskTimeout);

        Assert.True(task.Status == TaskStatuses.Succeeded, $"task ended {task.Status}: {task.Error}");
        Assert.Contains(wei.ToString(), task.Result!.Reply);
        Assert.Equal("get_balance", Assert.Single(task.Result.Observations).Tool);
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
        await system.Client.WaitForTaskAsync(accepted.TaskId, TaskTimeout);
    }
}
