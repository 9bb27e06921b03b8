namespace OpenMcpChain.ChainService.Infrastructure;

/// <summary>A transaction this service signed. The raw bytes are stored before broadcast, so a crash re-sends the same bytes.</summary>
public sealed class ChainTransaction
{
    public long Id { get; set; }
    public required string IdempotencyKey { get; set; }
    public required string Network { get; set; }
    public required string Wallet { get; set; }
    public required string From { get; set; }
    public required string To { get; set; }
    /// <summary>Native value in wei (decimal string).</summary>
    public required string Value { get; set; }
    public required string Data { get; set; }
    public long Nonce { get; set; }
    public long GasLimit { get; set; }
    public required string RawTransaction { get; set; }
    public required string TxHash { get; set; }
    public string Status { get; set; } = TransactionStatuses.Signed;
    /// <summary>The EIP-1559 fees (wei) of the current signature, which a replacement must raise.</summary>
    public string? MaxFeePerGas { get; set; }
    public string? MaxPriorityFeePerGas { get; set; }
    /// <summary>The head block when the current bytes were last sent: how long the write has waited is counted from it.</summary>
    public long? SentAtBlock { get; set; }
    /// <summary>How often it was replaced with higher fees, and how often a reorg took its receipt away.</summary>
    public int Replacements { get; set; }
    public int Reorgs { get; set; }
    /// <summary>Where the transparency log holds the final receipt of a write that was replaced or reorged; null until forwarded.</summary>
    public long? ReceiptLogIndex { get; set; }
    public long? BlockNumber { get; set; }
    public long? GasUsed { get; set; }
    public string? Caller { get; set; }
    public string? TaskId { get; set; }
    public string? RequestJson { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
