namespace OpenMcpChain.ProofService.Infrastructure;

/// <summary>Where an anchor's transaction stands (the <c>Status</c> column of <c>anchors</c>).</summary>
public static class AnchorStatuses
{
    public const string Pending = "pending";
    public const string Confirmed = "confirmed";
    public const string Failed = "failed";
}
