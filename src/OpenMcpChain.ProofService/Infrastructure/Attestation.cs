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
    public DateTimeOffset CreatedAt { get; set; }
}
