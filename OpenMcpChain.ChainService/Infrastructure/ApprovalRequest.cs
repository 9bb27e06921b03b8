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
