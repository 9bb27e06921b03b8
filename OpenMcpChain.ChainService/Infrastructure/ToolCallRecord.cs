namespace OpenMcpChain.ChainService.Infrastructure;

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
