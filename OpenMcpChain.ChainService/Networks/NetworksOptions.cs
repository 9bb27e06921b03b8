namespace OpenMcpChain.ChainService.Networks;

/// <summary>The chains this service talks to, by name (<c>Networks:{name}:*</c>); <c>devnet</c> is the default.</summary>
public sealed class NetworksOptions : Dictionary<string, NetworkOptions>
{
    public const string SectionName = "Networks";
    public const string DefaultNetwork = "devnet";

    public NetworksOptions() : base(StringComparer.OrdinalIgnoreCase)
    {
    }
}

/// <summary>One chain: where its JSON-RPC answers, how deep a receipt must be buried, and the policy its writes pass.</summary>
public sealed record NetworkOptions
{
    public string RpcUrl { get; set; } = "";
    public long? ChainId { get; set; }
    public int ConfirmationDepth { get; set; } = 1;
    public TimeSpan ReceiptTimeout { get; set; } = TimeSpan.FromSeconds(60);
    public PolicyOptions Policy { get; set; } = new();
}

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

/// <summary>One token's limits; amounts are whole tokens (decimal strings) scaled by <see cref="Decimals"/>.</summary>
public sealed class TokenPolicy
{
    public int Decimals { get; set; } = 18;
    public string Symbol { get; set; } = "tokens";
    public string? MaxPerTransaction { get; set; }
    public string? TaskBudget { get; set; }
    public string? DailyBudgetPerWallet { get; set; }
    public string? ApprovalThreshold { get; set; }
}
