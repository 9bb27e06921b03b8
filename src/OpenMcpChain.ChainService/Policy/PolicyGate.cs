using System.Globalization;
using System.Numerics;
using Nethereum.Web3;
using OpenMcpChain.ChainService.Callers;
using OpenMcpChain.ChainService.Networks;
using OpenMcpChain.ChainService.Tools;
using OpenMcpChain.ChainService.Wallets;

namespace OpenMcpChain.ChainService.Policy;

/// <summary>The deterministic checks every write passes at the signer, in a fixed order; a denial sends nothing.</summary>
public sealed class PolicyGate(BudgetLedger ledger)
{
    public const string Allowed = "allowed";

    /// <summary>Who may send what: the caller's wallets, and contract creation only for callers allowed to deploy.</summary>
    public static void CheckCaller(CallerOptions? caller, WriteIntent intent)
    {
        var wallet = string.IsNullOrWhiteSpace(intent.Wallet) ? WalletRegistry.DefaultWallet : intent.Wallet;
        if (caller is null || !caller.MayUse(wallet))
            Deny(ChainErrorCodes.PolicyWalletNotAllowed, $"Caller '{intent.Caller}' may not send from wallet '{wallet}'.");
        if (intent.IsCreation && caller?.CanDeploy != true)
            Deny(ChainErrorCodes.PolicyDeployNotAllowed, $"Caller '{intent.Caller}' may not deploy contracts.");
    }

    /// <summary>Checks that need no state: writes enabled, contract and method allowlists, value and gas caps.</summary>
    public static void CheckStatic(PolicyOptions policy, WriteIntent intent, bool toIsContract, long gas)
    {
        if (!policy.WritesEnabled)
            Deny(ChainErrorCodes.PolicyWritesDisabled, "Writes are disabled on this network.");
        if (toIsContract && !policy.AllowAnyContract
            && !policy.AllowedContracts.Any(c => string.Equals(c, intent.To, StringComparison.OrdinalIgnoreCase)))
            Deny(ChainErrorCodes.PolicyContractNotAllowed, $"Contract {intent.To} is not on this network's allowlist.");
        if (!intent.IsCreation && intent.Data.Length >= 10 && policy.AllowedMethods.Count > 0
            && !policy.AllowedMethods.Any(m => string.Equals(m, intent.Data[..10], StringComparison.OrdinalIgnoreCase)))
            Deny(ChainErrorCodes.PolicyMethodNotAllowed, $"Method {intent.Data[..10]} is not on this network's allowlist.");
        if (Wei(policy.MaxValuePerTransaction) is { } cap && intent.ValueWei > cap)
            Deny(ChainErrorCodes.PolicyValueCap, $"The value {Ether(intent.ValueWei)} ETH is above the per-transaction cap of {Ether(cap)} ETH.");
        if (policy.MaxGas is { } maxGas && gas > maxGas)
            Deny(ChainErrorCodes.PolicyGasCap, $"The transaction needs {gas} gas, above the cap of {maxGas}.");
    }

    public static bool NeedsApproval(PolicyOptions policy, WriteIntent intent) =>
        Wei(policy.ApprovalThreshold) is { } threshold && intent.ValueWei > threshold;

    /// <summary>The budgets a write counts against: per task, per wallet per day, per caller per day.</summary>
    public static List<Budget> BudgetsFor(string network, PolicyOptions policy, WriteIntent intent, string from)
    {
        var day = DateTimeOffset.UtcNow.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var budgets = new List<Budget>
        {
            new("daily budget of the wallet", $"budget:{network}:wallet:{from.ToLowerInvariant()}:{day}", Wei(policy.DailyBudgetPerWallet)),
            new("daily budget of the caller", $"budget:{network}:caller:{intent.Caller}:{day}", Wei(policy.DailyBudgetPerCaller)),
        };
        if (!string.IsNullOrEmpty(intent.TaskId))
            budgets.Add(new("budget of the task", $"budget:{network}:task:{intent.TaskId}", Wei(policy.TaskBudget)));
        return budgets;
    }

    public async Task ReserveAsync(IReadOnlyList<Budget> budgets, BigInteger wei)
    {
        if (await ledger.TryReserveAsync(budgets, wei) is { } exceeded)
            Deny(ChainErrorCodes.PolicyBudgetExceeded, $"Sending {Ether(wei)} ETH would exceed the {exceeded}.");
    }

    public Task ReleaseAsync(IReadOnlyList<Budget> budgets, BigInteger wei) => ledger.ReleaseAsync(budgets, wei);

    private static BigInteger? Wei(string? ether) =>
        string.IsNullOrWhiteSpace(ether) ? null : Web3.Convert.ToWei(decimal.Parse(ether, CultureInfo.InvariantCulture));

    private static string Ether(BigInteger wei) => Web3.Convert.FromWei(wei).ToString(CultureInfo.InvariantCulture);

    private static void Deny(string code, string message) => throw new ChainToolException(code, message, new { policy_decision = code });
}
