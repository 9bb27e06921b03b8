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

public static class TransactionStatuses
{
    public const string Signed = "signed";
    public const string Broadcast = "broadcast";
    public const string Confirmed = "confirmed";
    public const string Reverted = "reverted";
    public const string Dropped = "dropped";
}

/// <summary>A write parked above the approval threshold, waiting for a person to approve or reject it.</summary>
public sealed class ApprovalRequest
{
    public required string Id { get; set; }
    public required string Network { get; set; }
    public required string Wallet { get; set; }
    public required string Kind { get; set; }
    public required string RequestJson { get; set; }
    public required string Value { get; set; }
    public required string To { get; set; }
    public string? Caller { get; set; }
    public string? TaskId { get; set; }
    public string Status { get; set; } = ApprovalStatuses.Pending;
    public string? DecidedBy { get; set; }
    public string? Reason { get; set; }
    public string? TxHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
}

public static class ApprovalStatuses
{
    public const string Pending = "pending";
    public const string Approved = "approved";
    public const string Rejected = "rejected";
    public const string Withdrawn = "withdrawn";
}

/// <summary>One tool call as it happened: who, what, the outcome and the policy decision.</summary>
public sealed class ToolCallRecord
{
    public long Id { get; set; }
    public required string Caller { get; set; }
    public required string Tool { get; set; }
    public required string ArgumentsJson { get; set; }
    public string? ResultJson { get; set; }
    public string? ErrorCode { get; set; }
    public string? PolicyDecision { get; set; }
    public string? TaskId { get; set; }
    public long DurationMs { get; set; }
    /// <summary>Where ProofService's transparency log holds this record (writes and denials only); null until forwarded.</summary>
    public long? LogIndex { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A durable log subscription: which events to follow, and how far the poller has read.</summary>
public sealed class Subscription
{
    public required string Id { get; set; }
    public required string Network { get; set; }
    public required string Address { get; set; }
    public required string EventSignature { get; set; }
    public required string Topic0 { get; set; }
    public long NextBlock { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A decoded event a subscription received.</summary>
public sealed class ChainEvent
{
    public long Id { get; set; }
    public required string SubscriptionId { get; set; }
    public long BlockNumber { get; set; }
    public required string TxHash { get; set; }
    public int LogIndex { get; set; }
    public required string ArgsJson { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
