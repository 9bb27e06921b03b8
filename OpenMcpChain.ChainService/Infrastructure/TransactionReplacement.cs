namespace OpenMcpChain.ChainService.Infrastructure;

/// <summary>A stuck transaction re-signed at the same nonce with higher fees: the bytes it replaced and why.</summary>
public sealed class TransactionReplacement
{
    public long Id { get; set; }
    public long TransactionId { get; set; }
    public long Nonce { get; set; }
    public required string ReplacedHash { get; set; }
    /// <summary>The replaced signature's bytes, so a receipt for them is still recognised if the chain mines them after all.</summary>
    public required string ReplacedRaw { get; set; }
    public required string TxHash { get; set; }
    public required string MaxFeePerGas { get; set; }
    public required string MaxPriorityFeePerGas { get; set; }
    public required string Reason { get; set; }
    public string? TaskId { get; set; }
    /// <summary>Where ProofService's transparency log holds this replacement; null until forwarded.</summary>
    public long? LogIndex { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
