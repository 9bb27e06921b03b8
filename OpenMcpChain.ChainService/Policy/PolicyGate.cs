using System.Globalization;
using System.Numerics;
using Nethereum.Web3;
using OpenMcpChain.ChainService.Abi;
using OpenMcpChain.ChainService.Callers;
using OpenMcpChain.ChainService.Errors;
using OpenMcpChain.ChainService.Wallets;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.ChainService.Policy;

/// <summary>The deterministic checks every write passes at the signer, in a fixed order; a denial sends nothing.</summary>
public sealed class PolicyGate(BudgetLedger ledger)
{
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
            Deny(ChainErrorCodes.PolicyValueCap, $"The value {Amounts.Format(intent.ValueWei)} ETH is above the per-transaction cap of {Amounts.Format(cap)} ETH.");
        if (policy.MaxGas is { } maxGas && gas > maxGas)
            Deny(ChainErrorCodes.PolicyGasCap, $"The transaction needs {gas} gas, above the cap of {maxGas}.");
        if (TokenSpendOf(intent) is { } spend && policy.Tokens.TryGetValue(spend.Token, out var token)
            && Units(token.MaxPerTransaction, token.Decimals) is { } tokenCap && spend.Amount > tokenCap)
            Deny(ChainErrorCodes.PolicyTokenCap,
                $"The {spend.Method} of {Tokens(spend.Amount, token)} is above the per-transaction cap of {Tokens(tokenCap, token)}.");
    }

    public static bool NeedsApproval(PolicyOptions policy, WriteIntent intent) =>
        (Wei(policy.ApprovalThreshold) is { } threshold && intent.ValueWei > threshold)
        || (TokenSpendOf(intent) is { } spend && policy.Tokens.TryGetValue(spend.Token, out var token)
            && Units(token.ApprovalThreshold, token.Decimals) is { } tokenThreshold && spend.Amount > tokenThreshold);

    /// <summary>What an ERC-20 call in the calldata moves or authorises: transfer, approve or transferFrom, whoever encoded it.</summary>
    public static TokenSpend? TokenSpendOf(WriteIntent intent) => TokenSpendOf(intent.To, intent.Data);

    public static TokenSpend? TokenSpendOf(string to, string data)
    {
        if (to.Length == 0 || data.Length < 10) return null;
        var (method, word) = data[..10].ToLowerInvariant() switch
        {
            "0xa9059cbb" => ("transfer", 1),
            "0x095ea7b3" => ("approve", 1),
            "0x23b872dd" => ("transferFrom", 2),
            _ => ("", -1),
        };
        if (word < 0 || data.Length < 10 + 64 * (word + 1)) return null;
        return new TokenSpend(to, BigInteger.Parse("0" + data.Substring(10 + 64 * word, 64), NumberStyles.HexNumber), method);
    }

    /// <summary>
    /// The budgets a write counts against: its native value per task, per wallet per day and per caller per day; and,
    /// for a listed token, its token amount per task and per wallet per day.
    /// </summary>
    public static List<Budget> BudgetsFor(string network, PolicyOptions policy, WriteIntent intent, string from)
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var day = today.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var wallet = from.ToLowerInvariant();
        var wei = intent.ValueWei;
        var budgets = new List<Budget>
        {
            new("daily budget of the wallet", $"budget:{network}:wallet:{wallet}:{day}", Wei(policy.DailyBudgetPerWallet), wei,
                new(network, Wallet: from, Day: today)),
            new("daily budget of the caller", $"budget:{network}:caller:{intent.Caller}:{day}", Wei(policy.DailyBudgetPerCaller), wei,
                new(network, Caller: intent.Caller, Day: today)),
        };
        if (!string.IsNullOrEmpty(intent.TaskId))
            budgets.Add(new("budget of the task", $"budget:{network}:task:{intent.TaskId}", Wei(policy.TaskBudget), wei,
                new(network, TaskId: intent.TaskId)));
        if (TokenSpendOf(intent) is { } spend && policy.Tokens.TryGetValue(spend.Token, out var token))
        {
            var key = $"budget:{network}:token:{spend.Token.ToLowerInvariant()}";
            budgets.Add(new($"daily {token.Symbol} budget of the wallet", $"{key}:wallet:{wallet}:{day}",
                Units(token.DailyBudgetPerWallet, token.Decimals), spend.Amount, new(network, Wallet: from, Token: spend.Token, Day: today),
                token.Decimals, token.Symbol));
            if (!string.IsNullOrEmpty(intent.TaskId))
                budgets.Add(new($"{token.Symbol} budget of the task", $"{key}:task:{intent.TaskId}",
                    Units(token.TaskBudget, token.Decimals), spend.Amount, new(network, TaskId: intent.TaskId, Token: spend.Token),
                    token.Decimals, token.Symbol));
        }
        return budgets;
    }

    public async Task ReserveAsync(IReadOnlyList<Budget> budgets)
    {
        if (await ledger.TryReserveAsync(budgets) is { } exceeded)
            Deny(ChainErrorCodes.PolicyBudgetExceeded, $"Sending {exceeded.Describe(exceeded.Amount)} would exceed the {exceeded.Name}.");
    }

    public Task ReleaseAsync(IReadOnlyList<Budget> budgets) => ledger.ReleaseAsync(budgets);

    private static BigInteger? Wei(string? ether) => Units(ether, 18);

    private static BigInteger? Units(string? whole, int decimals) =>
        string.IsNullOrWhiteSpace(whole) ? null : Web3.Convert.ToWei(decimal.Parse(whole, CultureInfo.InvariantCulture), decimals);

    private static string Tokens(BigInteger raw, TokenPolicy token) => $"{Amounts.Format(raw, token.Decimals)} {token.Symbol}";

    /// <summary>A refusal: its code is the gate's decision, which every record of the write reads.</summary>
    private static void Deny(string code, string message) =>
        throw new ChainToolException(new ChainToolError(code, message) { PolicyDecision = code });
}

/// <summary>A token amount a write moves or authorises, decoded from its ERC-20 calldata.</summary>
public sealed record TokenSpend(string Token, BigInteger Amount, string Method);
