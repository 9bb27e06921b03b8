namespace OpenMcpChain.ChainService.Policy;

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
