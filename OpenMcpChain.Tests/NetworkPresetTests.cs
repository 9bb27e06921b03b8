extern alias chainservice;
using chainservice::OpenMcpChain.ChainService.Networks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Tests;

[Collection(SystemCollection.Name)]
public sealed class NetworkPresetTests(SystemFixture system)
{
    [Fact]
    public async Task PresetNetworkNeedsOnlyItsRpcUrlAndAPresetWithoutOneIsAnUnknownNetwork()
    {
        await using var anvil = await AnvilProcess.StartAsync("--chain-id", "11155111");
        await using var chain = await PrivateChainService.StartAsync(system, "sepolia", anvil.RpcUrl, new Dictionary<string, string?>());
        var client = chain.Client($"preset-{Guid.NewGuid():N}");

        var info = await client.ToolAsync("get_chain_info", new { network = "sepolia" });
        Assert.Equal(11155111, info.GetProperty("chain_id").GetInt64());
        var sepolia = chain.Services.GetRequiredService<IOptions<NetworksOptions>>().Value["sepolia"];
        Assert.Equal((6, "ETH", "eip1559"), (sepolia.ConfirmationDepth, sepolia.Symbol, sepolia.Fees));

        var (status, error) = await client.ToolErrorAsync("get_chain_info", new { network = "base" });
        Assert.Equal((400, ChainErrorCodes.UnknownNetwork), (status, error.Code));
        Assert.Contains("base-rpc-url", error.Message);
        (status, error) = await client.ToolErrorAsync("transfer_native", new { to = "0x000000000000000000000000000000000000dEaD", amount = "0.1", network = "nowhere" });
        Assert.Equal((400, ChainErrorCodes.UnknownNetwork), (status, error.Code));
    }
}
