namespace OpenMcpChain.ProofService.Infrastructure;

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
