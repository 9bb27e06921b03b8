namespace OpenMcpChain.ProofService.Infrastructure;

/// <summary>A deployed anchor contract, remembered so the service anchors to the same one after a restart.</summary>
public sealed class AnchorContract
{
    public long Id { get; set; }
    public required string Network { get; set; }
    public long ChainId { get; set; }
    public required string Address { get; set; }
    public required string Signer { get; set; }
    public required string DeployTxHash { get; set; }
    public long DeployBlock { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A signed tree head sent to the anchor contract, and where the transaction landed.</summary>
public sealed class Anchor
{
    public long Id { get; set; }
    public required string Network { get; set; }
    public long ChainId { get; set; }
    public required string Contract { get; set; }
    public long TreeSize { get; set; }
    public required string Root { get; set; }
    public long TreeHeadTimestamp { get; set; }
    public required string TreeHeadSignature { get; set; }
    public required string TxHash { get; set; }
    public long? BlockNumber { get; set; }
    public string Status { get; set; } = AnchorStatuses.Pending;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public static class AnchorStatuses
{
    public const string Pending = "pending";
    public const string Confirmed = "confirmed";
    public const string Failed = "failed";
}
