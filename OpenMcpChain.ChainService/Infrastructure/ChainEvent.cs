namespace OpenMcpChain.ChainService.Infrastructure;

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
