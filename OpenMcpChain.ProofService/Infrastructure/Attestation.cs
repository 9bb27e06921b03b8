namespace OpenMcpChain.ProofService.Infrastructure;

/// <summary>A signed task outcome: exactly the text that was signed, and the signature.</summary>
public sealed class Attestation
{
    public long Id { get; set; }
    public required string TaskId { get; set; }
    public required string Signer { get; set; }
    public required string Scheme { get; set; }
    public required string Message { get; set; }
    public required string Signature { get; set; }
    /// <summary>The EIP-712 typed data that was signed (JSON); null for older EIP-191 attestations.</summary>
    public string? TypedData { get; set; }
    /// <summary>The index of the log entry that records this attestation; null until it is appended.</summary>
    public long? LogIndex { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
