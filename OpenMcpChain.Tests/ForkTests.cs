using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Nethereum.Signer;
using Nethereum.Web3;

namespace OpenMcpChain.Tests;

/// <summary><c>Infra:Chain=fork</c>: the AppHost's anvil forks a configured network, and ChainService reads that network's state through it.</summary>
[Collection(SystemCollection.Name)]
public sealed class ForkTests(SystemFixture system)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task ForkOfAConfiguredNetworkShowsItsStateToChainService()
    {
        // The "real" network: a second anvil holding a balance nobody else has.
        await using var upstream = await AnvilProcess.StartAsync("--chain-id", "11155111");
        var holder = EthECKey.GenerateKey().GetPublicAddress();
        await upstream.RpcAsync("anvil_setBalance", holder, "0x3635c9adc5dea00000"); // 1000 ETH

        var data = Directory.CreateTempSubdirectory("openmcp-fork-").FullName;
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.OpenMcpChain_AppHost>(
            ["--Infra:Mode=executables", "--Infra:Chain=fork", "--Chain:Fork=sepolia", $"--Parameters:sepolia-rpc-url={upstream.RpcUrl}",
             $"--Data:Directory={data}", $"--Devnet:Port={Ports.Free()}", "--Logging:LogLevel:Default=Warning"]);
        // Only the chain: the fork and the parameter it reads.
        foreach (var other in builder.Resources.Where(r => r.Name is not ("devnet" or "sepolia-rpc-url")).ToList())
            builder.Resources.Remove(other);
        using var cts = new CancellationTokenSource(Deadline);
        await using var app = await builder.BuildAsync(cts.Token);
        await app.StartAsync(cts.Token);
        var fork = await app.ResourceNotifications.WaitForResourceHealthyAsync("devnet", cts.Token);
        var forkUrl = app.GetEndpoint("devnet", "http").ToString();

        await using var chain = await PrivateChainService.StartAsync(system, "forknet", forkUrl, new Dictionary<string, string?>());
        var balance = await chain.Client($"fork-{Guid.NewGuid():N}").ToolAsync("get_balance", new { address = holder, network = "forknet" });
        Assert.Equal(Web3.Convert.ToWei(1000).ToString(), balance.GetProperty("wei").GetString());
        var info = await chain.Client($"fork-{Guid.NewGuid():N}").ToolAsync("get_chain_info", new { network = "forknet" });
        Assert.Equal(11155111, info.GetProperty("chain_id").GetInt64());

        // The forked network's URL (in practice it holds a provider's key) is nowhere in the fork's console log, which the
        // dashboard shows and the AppHost's logs carry.
        var logged = new List<string>();
        await foreach (var batch in app.Services.GetRequiredService<ResourceLoggerService>().GetAllAsync(fork.ResourceId).WithCancellation(cts.Token))
            logged.AddRange(batch.Select(l => l.Content));
        Assert.DoesNotContain(logged, line => line.Contains(new Uri(upstream.RpcUrl).Authority, StringComparison.Ordinal));
        await app.StopAsync(CancellationToken.None);
        Directory.Delete(data, recursive: true);
    }
}
