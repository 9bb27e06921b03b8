using System.ComponentModel;
using ModelContextProtocol.Server;
using Nethereum.JsonRpc.Client;
using Nethereum.Util;
using Nethereum.Web3;
using OpenMcpChain.ChainService.Networks;

namespace OpenMcpChain.ChainService.Tools;

/// <summary>The chain tools an agent calls over MCP.</summary>
[McpServerToolType]
public sealed class ChainTools(NetworkRegistry networks, ILogger<ChainTools> logger)
{
    [McpServerTool(Name = "get_chain_info", Title = "Chain info", ReadOnly = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Returns the chain id and the latest block number (with its hash and timestamp) of a network. Use it for questions such as 'what chain is this' or 'what is the latest block'.")]
    public async Task<ChainInfo> GetChainInfo(
        [Description("Network name; omit for the default network (devnet).")] string? network = null,
        CancellationToken ct = default)
    {
        var web3 = networks.Get(network);
        return await CallRpcAsync(async () =>
        {
            var chainId = await web3.Eth.ChainId.SendRequestAsync();
            var block = await web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(
                Nethereum.RPC.Eth.DTOs.BlockParameter.CreateLatest());
            return new ChainInfo(
                Network: network ?? NetworksOptions.DefaultNetwork,
                ChainId: (long)chainId.Value,
                BlockNumber: (long)block.Number.Value,
                BlockHash: block.BlockHash,
                BlockTimestamp: (long)block.Timestamp.Value);
        });
    }

    [McpServerTool(Name = "get_balance", Title = "Native balance", ReadOnly = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Returns the native-currency balance (ETH on the devnet) of an address, in wei and in ether, at the latest block.")]
    public async Task<BalanceInfo> GetBalance(
        [Description("The 0x-prefixed, 20-byte hex address whose balance to read.")] string address,
        [Description("Network name; omit for the default network (devnet).")] string? network = null,
        CancellationToken ct = default)
    {
        var checksummed = RequireAddress(address);
        var web3 = networks.Get(network);
        return await CallRpcAsync(async () =>
        {
            var blockNumber = await web3.Eth.Blocks.GetBlockNumber.SendRequestAsync();
            var balance = await web3.Eth.GetBalance.SendRequestAsync(checksummed, new Nethereum.RPC.Eth.DTOs.BlockParameter(blockNumber));
            return new BalanceInfo(
                Network: network ?? NetworksOptions.DefaultNetwork,
                Address: checksummed,
                Wei: balance.Value.ToString(),
                Ether: Web3.Convert.FromWei(balance.Value).ToString(System.Globalization.CultureInfo.InvariantCulture),
                BlockNumber: (long)blockNumber.Value);
        });
    }

    private static string RequireAddress(string? address)
    {
        if (string.IsNullOrWhiteSpace(address) || !AddressUtil.Current.IsValidEthereumAddressHexFormat(address.Trim()))
        {
            throw new ChainToolException(ChainErrorCodes.InvalidAddress,
                $"'{address}' is not an address: expected 0x followed by 40 hex digits.");
        }
        return AddressUtil.Current.ConvertToChecksumAddress(address.Trim());
    }

    private async Task<T> CallRpcAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (e is RpcClientUnknownException or RpcClientTimeoutException or HttpRequestException)
        {
            logger.LogWarning(e, "RPC call failed");
            throw new ChainToolException(ChainErrorCodes.RpcUnavailable, "The network's JSON-RPC endpoint did not answer.");
        }
    }
}

/// <summary>The chain id and head of a network.</summary>
public sealed record ChainInfo(string Network, long ChainId, long BlockNumber, string BlockHash, long BlockTimestamp);

/// <summary>A native balance at a block.</summary>
public sealed record BalanceInfo(string Network, string Address, string Wei, string Ether, long BlockNumber);
