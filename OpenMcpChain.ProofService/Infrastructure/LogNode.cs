namespace OpenMcpChain.ProofService.Infrastructure;

/// <summary>The hash of a perfect subtree: 2^Level leaves starting at Index·2^Level. Written once, when its last leaf is appended.</summary>
public sealed class LogNode
{
    public int Level { get; set; }
    public long Index { get; set; }
    public required byte[] Hash { get; set; }
}
