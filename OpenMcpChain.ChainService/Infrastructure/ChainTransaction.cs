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
    public long? BlockNumber { get; set; }
    public long? GasUsed { get; set; }
    public string? Caller { get; set; }
    public string? TaskId { get; set; }
    public string? RequestJson { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
