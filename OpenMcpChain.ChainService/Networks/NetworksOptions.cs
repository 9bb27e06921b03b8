using OpenMcpChain.ChainService.Policy;

namespace OpenMcpChain.ChainService.Networks;

/// <summary>The chains this service talks to, by name (<c>Networks:{name}:*</c>); <c>devnet</c> is the default.</summary>
public sealed class NetworksOptions : Dictionary<string, NetworkOptions>
{
    public const string SectionName = "Networks";
    public const string DefaultNetwork = "devnet";

    public NetworksOptions() : base(StringComparer.OrdinalIgnoreCase)
    {
    }
}

/// <summary>One chain: where its JSON-RPC answers, how deep a receipt must be buried, and the policy its writes pass.</summary>
public sealed record NetworkOptions
{
    public string RpcUrl { get; set; } = "";
    public long? ChainId { get; set; }
    /// <summary>The native currency's symbol (ETH, POL).</summary>
    public string Symbol { get; set; } = "ETH";
    /// <summary><see cref="FeeTypes.Eip1559"/> or <see cref="FeeTypes.Legacy"/>.</summary>
    public string Fees { get; set; } = FeeTypes.Eip1559;
    public TimeSpan BlockTime { get; set; } = TimeSpan.FromSeconds(12);
    public int ConfirmationDepth { get; set; } = 1;
    public TimeSpan ReceiptTimeout { get; set; } = TimeSpan.FromSeconds(60);
    /// <summary>
    /// Blocks a sent write may stay unmined before it is replaced at the same nonce with higher fees; 0 never replaces.
    /// </summary>
    public int StuckAfterBlocks { get; set; } = 5;
    /// <summary>How much a replacement raises both the tip and the max fee, in percent (EIP-1559 replacement needs at least 10).</summary>
    public int FeeBumpPercent { get; set; } = 12;
    /// <summary>The tip of a first signature in gwei; empty takes the node's suggestion.</summary>
    public string? PriorityFee { get; set; }
    public PolicyOptions Policy { get; set; } = new();
}
