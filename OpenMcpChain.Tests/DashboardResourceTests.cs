using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace OpenMcpChain.Tests;

/// <summary>What the dashboard shows an operator: databases with a state and health, and the commands on resources.</summary>
[Collection(SystemCollection.Name)]
public sealed class DashboardResourceTests(SystemFixture system)
{
    [Fact]
    public async Task DatabasesTurnHealthyOnceTheirServiceHasMigratedThem()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        foreach (var database in new[] { "agentdb", "chaindb", "proofdb", "gatewaydb" })
        {
            var state = await system.App.ResourceNotifications.WaitForResourceHealthyAsync(database, cts.Token);
            Assert.Equal(KnownResourceStates.Running, state.Snapshot.State?.Text);
        }
    }

    [Fact]
    public async Task MineABlockAndVerifyLogCommandsDoWhatTheySay()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var commands = system.App.Services.GetRequiredService<ResourceCommandService>();
        var before = (long)(await system.Devnet.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value;
        var mined = await commands.ExecuteCommandAsync("devnet", "mine-block", cts.Token);
        Assert.True(mined.Success, mined.Message);
        Assert.True((long)(await system.Devnet.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value > before);

        var verified = await commands.ExecuteCommandAsync("proofservice", "verify-log", cts.Token);
        Assert.True(verified.Success, verified.Message);
        Assert.Matches(@"^All \d+ entries verified\.$", verified.Message);
    }
}
