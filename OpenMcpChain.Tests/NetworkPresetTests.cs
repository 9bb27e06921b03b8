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

    [Fact]
    public async Task ANetworkPricedByGasPriceGetsLegacyTransactionsReplayProtectedForItsChain()
    {
        const long chainId = 11155111; // an EIP-155 v of four bytes
        await using var anvil = await AnvilProcess.StartAsync("--chain-id", chainId.ToString());
        await using var chain = await PrivateChainService.StartAsync(system, "legacynet", anvil.RpcUrl, new Dictionary<string, string?>
        {
            ["Networks:legacynet:ChainId"] = chainId.ToString(),
            ["Networks:legacynet:Fees"] = FeeTypes.Legacy,
        });
        var to = Nethereum.Signer.EthECKey.GenerateKey().GetPublicAddress();

        var sent = await chain.Client($"legacy-{Guid.NewGuid():N}").ToolAsync("transfer_native", new { to, amount = "0.125", network = "legacynet" });

        Assert.Equal("confirmed", sent.GetProperty("status").GetString());
        Assert.Equal(Nethereum.Web3.Web3.Convert.ToWei(0.125m), await anvil.BalanceAsync(to));
        var onChain = await anvil.Web3.Eth.Transactions.GetTransactionByHash.SendRequestAsync(sent.GetProperty("tx_hash").GetString());
        Assert.Equal(0, (int)onChain.Type.Value); // legacy
        Assert.Equal(new Nethereum.Signer.EthECKey(PrivateChainService.WalletKey).GetPublicAddress(), onChain.From, ignoreCase: true);
        Assert.Contains(new Nethereum.Hex.HexTypes.HexBigInteger(onChain.V).Value, new[] { chainId * 2 + 35, chainId * 2 + 36 }.Select(v => new System.Numerics.BigInteger(v)));
    }
}
