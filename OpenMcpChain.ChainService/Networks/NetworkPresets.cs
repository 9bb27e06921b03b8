using System.Globalization;

namespace OpenMcpChain.ChainService.Networks;

/// <summary>
/// The public networks a deployment may name without describing them: chain id, native symbol, how deep a receipt
/// must be buried, fee type and block time. They are the lowest layer of configuration, so any <c>Networks:{name}:*</c>
/// setting overrides them; a preset is in use only once its RPC URL is set (the AppHost's <c>{name}-rpc-url</c> secret).
/// </summary>
public static class NetworkPresets
{
    public sealed record Preset(long ChainId, string Symbol, int ConfirmationDepth, string Fees, TimeSpan BlockTime);

    public static readonly IReadOnlyDictionary<string, Preset> All = new Dictionary<string, Preset>(StringComparer.OrdinalIgnoreCase)
    {
        [NetworksOptions.DefaultNetwork] = new(31337, "ETH", 1, FeeTypes.Eip1559, TimeSpan.FromSeconds(1)),
        ["mainnet"] = new(1, "ETH", 12, FeeTypes.Eip1559, TimeSpan.FromSeconds(12)),
        ["sepolia"] = new(11155111, "ETH", 6, FeeTypes.Eip1559, TimeSpan.FromSeconds(12)),
        ["base"] = new(8453, "ETH", 10, FeeTypes.Eip1559, TimeSpan.FromSeconds(2)),
        ["base-sepolia"] = new(84532, "ETH", 5, FeeTypes.Eip1559, TimeSpan.FromSeconds(2)),
        ["arbitrum"] = new(42161, "ETH", 20, FeeTypes.Eip1559, TimeSpan.FromMilliseconds(250)),
        ["optimism"] = new(10, "ETH", 10, FeeTypes.Eip1559, TimeSpan.FromSeconds(2)),
        ["polygon"] = new(137, "POL", 32, FeeTypes.Eip1559, TimeSpan.FromSeconds(2)),
    };

    /// <summary>The presets as configuration keys (<c>Networks:{name}:ChainId</c>, …), to sit under every other source.</summary>
    /// <remarks>
    /// A public network's policy starts closed: no contract but those its callers deployed here (allowlists are
    /// configured), and every write that moves value waits for a person (<c>Policy:ApprovalThreshold</c> 0) until the
    /// deployment sets its own threshold. Devnet's appsettings open its own.
    /// </remarks>
    public static IEnumerable<KeyValuePair<string, string?>> AsConfiguration() =>
        All.SelectMany(p => new Dictionary<string, string?>
        {
            [$"{NetworksOptions.SectionName}:{p.Key}:ChainId"] = p.Value.ChainId.ToString(CultureInfo.InvariantCulture),
            [$"{NetworksOptions.SectionName}:{p.Key}:Symbol"] = p.Value.Symbol,
            [$"{NetworksOptions.SectionName}:{p.Key}:ConfirmationDepth"] = p.Value.ConfirmationDepth.ToString(CultureInfo.InvariantCulture),
            [$"{NetworksOptions.SectionName}:{p.Key}:Fees"] = p.Value.Fees,
            [$"{NetworksOptions.SectionName}:{p.Key}:BlockTime"] = p.Value.BlockTime.ToString("c", CultureInfo.InvariantCulture),
            [$"{NetworksOptions.SectionName}:{p.Key}:Policy:ApprovalThreshold"] = p.Key == NetworksOptions.DefaultNetwork ? null : "0",
        }.Where(setting => setting.Value is not null));
}

/// <summary>How a network prices gas: EIP-1559 (base fee + tip) or a legacy gas price.</summary>
public static class FeeTypes
{
    public const string Eip1559 = "eip1559";
    public const string Legacy = "legacy";
}
