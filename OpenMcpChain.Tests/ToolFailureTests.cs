using Nethereum.Signer;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Tests;

/// <summary>A tool that fails for a reason other than policy fails the task with the tool's code, not only in its reply.</summary>
[Collection(SystemCollection.Name)]
public sealed class ToolFailureTests(SystemFixture system)
{
    [Fact]
    public async Task ATransferThatRevertsFailsTheTaskWithExecutionReverted()
    {
        // A recipient whose code reverts whatever it is sent (PUSH1 0 PUSH1 0 REVERT): the write's simulation reverts.
        var recipient = EthECKey.GenerateKey().GetPublicAddress();
        await system.Devnet.Client.SendRequestAsync<object>("anvil_setCode", null, recipient, "0x60006000fd");

        var accepted = await system.Client.CreateTaskAsync(new CreateTaskRequest($"Send 0.01 ETH to {recipient}"));
        var task = await system.Client.FinishedAsync(accepted.TaskId, TimeSpan.FromSeconds(90));

        Assert.True(task.Status == TaskStatuses.Failed, $"task ended {task.Status}: {task.Result?.Reply}");
        Assert.Equal(ChainErrorCodes.ExecutionReverted, task.Error?.Code);
        Assert.Contains("transfer_native", task.Error?.Message);
        var call = Assert.Single(await system.Client.GetStepsAsync(task.TaskId), s => s.Kind == "tool_call");
        Assert.Equal(("transfer_native", true, ChainErrorCodes.ExecutionReverted), (call.Name, call.IsError, call.ErrorCode));
        Assert.Equal(0, (long)(await system.Devnet.Eth.GetBalance.SendRequestAsync(recipient)).Value);
    }
}
