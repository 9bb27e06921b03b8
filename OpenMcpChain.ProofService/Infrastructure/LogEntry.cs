namespace OpenMcpChain.ProofService.Infrastructure;

/// <summary>One entry of the transparency log: its position, canonical JSON and leaf hash. Never updated.</summary>
public sealed class LogEntry
{
    public long Index { get; set; }
    public required string Entry { get; set; }
    public required byte[] LeafHash { get; set; }
    /// <summary>The task the entry is about (its <c>task_id</c>), so a task's proof bundle finds its entries.</summary>
    public string? TaskId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
