namespace OpenMcpChain.ChainService.Policy;

/// <summary>The deterministic write policy of a network. Amounts are in ether (decimal strings); empty means no limit.</summary>
public sealed class PolicyOptions
{
    public bool WritesEnabled { get; set; } = true;
    /// <summary>Contracts that may be called; a native transfer to an account with no code needs no entry.</summary>
    public List<string> AllowedContracts { get; set; } = [];
    /// <summary>When true, any contract may be called (devnet convenience); the method allowlist still applies.</summary>
    public bool AllowAnyContract { get; set; }
    /// <summary>Four-byte selectors (0x…) that may be called; empty allows every method of an allowed contract.</summary>
    public List<string> AllowedMethods { get; set; } = [];
    public string? MaxValuePerTransaction { get; set; }
    public long? MaxGas { get; set; }
    /// <summary>The highest max fee per gas (gwei) a write is signed with, replacements of a stuck one included; empty means no cap.</summary>
    public string? MaxFeePerGas { get; set; }
    public string? TaskBudget { get; set; }
    public string? DailyBudgetPerWallet { get; set; }
    public string? DailyBudgetPerCaller { get; set; }
    /// <summary>Writes moving more than this are parked for approval.</summary>
    public string? ApprovalThreshold { get; set; }
    /// <summary>
    /// Limits per ERC-20 token (by contract address), in whole tokens. They apply to every write whose calldata is a
    /// token <c>transfer</c>, <c>approve</c> or <c>transferFrom</c>, whichever tool built it.
    /// </summary>
    public Dictionary<string, TokenPolicy> Tokens { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
