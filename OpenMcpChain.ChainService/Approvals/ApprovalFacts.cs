using System.Text.Json;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.Web3;
using OpenMcpChain.ChainService.Abi;
using OpenMcpChain.ChainService.Errors;
using OpenMcpChain.ChainService.Infrastructure;
using OpenMcpChain.ChainService.Policy;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.ChainService.Approvals;

/// <summary>
/// What a person must judge about a parked write — chain, value in ether, token and amount, decoded method, simulation —
/// worked out once when it is parked, so reading the inbox never goes back to the chain.
/// </summary>
public static class ApprovalFacts
{
    /// <summary>The ERC-20 calls recognised in calldata that came without a signature.</summary>
    private static readonly Dictionary<string, string> Erc20Signatures = new(StringComparer.OrdinalIgnoreCase)
    {
        ["0xa9059cbb"] = "transfer(address,uint256)",
        ["0x095ea7b3"] = "approve(address,uint256)",
        ["0x23b872dd"] = "transferFrom(address,address,uint256)",
    };

    public static async Task DescribeAsync(ApprovalRequest request, WriteIntent intent, Web3 web3, long gas)
    {
        request.ChainId = (long)(await Rpc.CallAsync(() => web3.Eth.ChainId.SendRequestAsync())).Value;
        request.ValueEther = Amounts.Exact(intent.ValueWei);
        // A write whose simulation reverts is refused before the gate, so a parked one always simulated successfully.
        request.SimulationGas = gas;
        request.SimulationOutcome = "success";
        var method = MethodOf(intent);
        request.MethodJson = method is null ? null : JsonSerializer.Serialize(method, OpenMcpChainJson.Options);
        if (PolicyGate.TokenSpendOf(intent) is { } spend)
        {
            request.TokenJson = JsonSerializer.Serialize(await TokenAsync(web3, spend), OpenMcpChainJson.Options);
            if (intent.Kind == "transfer_erc20" && method is { Arguments: [var recipient, ..] }) request.Recipient = recipient.Value;
        }
    }

    /// <summary>The call decoded by its signature (the tool's, or a known ERC-20 one); null for a plain transfer or unknown calldata.</summary>
    public static ApprovalMethod? MethodOf(WriteIntent intent)
    {
        if (intent.IsCreation || intent.Data.Length < 10) return null;
        var signature = intent.Signature ?? Erc20Signatures.GetValueOrDefault(intent.Data[..10]);
        if (signature is null) return null;
        try
        {
            var function = AbiCodec.ParseFunction(signature);
            var inputs = function.InputParameters ?? [];
            var values = new FunctionCallDecoder().DecodeDefaultData("0x" + intent.Data[10..], inputs);
            return new ApprovalMethod($"{function.Name}({string.Join(",", inputs.Select(p => p.Type))})",
                [.. values.Select(v => new ApprovalArgument(v.Parameter.Type, Text(AbiCodec.ToJsonValue(v.Result))) { Name = NameOf(v.Parameter.Name) })])
            {
                Selector = "0x" + function.Sha3Signature,
            };
        }
        catch (Exception e) when (e is ChainToolException or ArgumentException or FormatException or IndexOutOfRangeException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The token's symbol and decimals as it answers them (null for a contract that does not), and the amount.</summary>
    private static async Task<ApprovalToken> TokenAsync(Web3 web3, TokenSpend spend)
    {
        var erc20 = web3.Eth.ERC20.GetContractService(spend.Token);
        var symbol = await AskAsync(() => erc20.SymbolQueryAsync());
        var decimals = await AskAsync<int?>(async () => await erc20.DecimalsQueryAsync());
        return new ApprovalToken(spend.Token, spend.Amount.ToString())
        {
            Symbol = symbol, Decimals = decimals,
            AmountFormatted = decimals is { } d ? Amounts.Exact(spend.Amount, d) : null,
        };
    }

    private static async Task<T?> AskAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
#pragma warning disable CA1031 // a token that does not answer, or answers garbage, is shown without it
        catch (Exception)
#pragma warning restore CA1031
        {
            return default;
        }
    }

    private static string? NameOf(string? name) => string.IsNullOrEmpty(name) ? null : name;

    private static string Text(object? value) => value switch
    {
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        System.Collections.IEnumerable => JsonSerializer.Serialize(value, OpenMcpChainJson.Options),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };
}
