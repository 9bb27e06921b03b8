namespace OpenMcpChain.ChainService.Infrastructure;

/// <summary>Where a signed transaction is: stored, sent, mined (confirmed or reverted), or dropped by the node.</summary>
public static class TransactionStatuses
{
    public const string Signed = "signed";
    public const string Broadcast = "broadcast";
    public const string Confirmed = "confirmed";
    public const string Reverted = "reverted";
    public const string Dropped = "dropped";
}
