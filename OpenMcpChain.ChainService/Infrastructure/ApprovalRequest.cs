using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.ChainService.Infrastructure;

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
    // What a person must judge, decoded once when the write was parked (null on requests parked before these existed).
    public long? ChainId { get; set; }
    public string? From { get; set; }
    public string? ValueEther { get; set; }
    /// <summary>The receiving address of an ERC-20 transfer (<see cref="To"/> is then the token contract).</summary>
    public string? Recipient { get; set; }
    /// <summary>The token and method, as the JSON of <c>ApprovalToken</c> and <c>ApprovalMethod</c>.</summary>
    public string? TokenJson { get; set; }
    public string? MethodJson { get; set; }
    public long? SimulationGas { get; set; }
    public string? SimulationOutcome { get; set; }
    public string? RequestedBy { get; set; }
    public string? Goal { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    /// <summary>The decision's own entry in the transparency log, once forwarded.</summary>
    public long? DecisionLogIndex { get; set; }
    public string Status { get; set; } = ApprovalStatuses.Pending;
    public string? DecidedBy { get; set; }
    public string? Reason { get; set; }
    public string? TxHash { get; set; }
    /// <summary>Why an approved write could not be sent: its stable code and message (null otherwise).</summary>
    public string? ErrorCode { get; set; }
    public string? ErrorMessage { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
}
