namespace OpenMcpChain.ChainService.Approvals;

/// <summary>How approval requests behave (<c>Approvals:*</c>).</summary>
public sealed class ApprovalOptions
{
    public const string SectionName = "Approvals";

    /// <summary>How long a parked write waits for a decision before it expires (its task then ends rejected).</summary>
    public TimeSpan ExpireAfter { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Whether a person may approve a write made for themselves; off, so a second person always decides.</summary>
    public bool AllowSelfApproval { get; set; }
}
