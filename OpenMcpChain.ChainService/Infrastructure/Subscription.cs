namespace OpenMcpChain.ChainService.Infrastructure;

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
