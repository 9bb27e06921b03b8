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
