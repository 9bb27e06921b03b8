using System.Numerics;
using OpenMcpChain.ChainService.Abi;
using StackExchange.Redis;

namespace OpenMcpChain.ChainService.Policy;

/// <summary>Spend budgets in Redis. Reserve checks and adds every budget in one script, so parallel writes cannot overshoot.</summary>
public sealed class BudgetLedger(IConnectionMultiplexer redis)
{
    private const string ReserveScript =
        """
        local n = #KEYS
        for i = 1, n do
          local limit = tonumber(ARGV[1 + n + i])
          if limit >= 0 and tonumber(redis.call('GET', KEYS[i]) or '0') + tonumber(ARGV[1 + i]) > limit then return i end
        end
        for i = 1, n do
          redis.call('INCRBY', KEYS[i], ARGV[1 + i])
          redis.call('EXPIRE', KEYS[i], ARGV[1])
        end
        return 0
        """;

    /// <summary>Reserves every budget's amount, or none; returns the budget that would overflow.</summary>
    public async Task<Budget?> TryReserveAsync(IReadOnlyList<Budget> budgets)
    {
        var counted = budgets.Where(b => !b.Amount.IsZero).ToList();
        if (counted.Count == 0) return null;
        RedisValue[] args =
        [
            (long)TimeSpan.FromDays(31).TotalSeconds,
            .. counted.Select(b => (RedisValue)b.ToUnits(b.Amount).ToString()),
            .. counted.Select(b => (RedisValue)(b.Limit is { } l ? b.ToUnits(l, ceiling: false).ToString() : "-1")),
        ];
        var result = (long)await redis.GetDatabase().ScriptEvaluateAsync(ReserveScript, [.. counted.Select(b => (RedisKey)b.Key)], args);
        return result == 0 ? null : counted[(int)result - 1];
    }

    public async Task ReleaseAsync(IReadOnlyList<Budget> budgets)
    {
        var db = redis.GetDatabase();
        await Task.WhenAll(budgets.Where(b => !b.Amount.IsZero).Select(b => db.StringDecrementAsync(b.Key, (long)b.ToUnits(b.Amount))));
    }
}

/// <summary>
/// One budget a write counts against: its Redis key, a name for messages, its limit and this write's amount, both in
/// the asset's base units (wei, or a token's smallest unit). Counters hold 10⁻⁹ of a whole unit (gwei for ETH): exact in
/// Lua's doubles up to about nine million whole units.
/// </summary>
public sealed record Budget(
    string Name, string Key, BigInteger? Limit, BigInteger Amount, BudgetScope Scope, int Decimals = 18, string Unit = "ETH")
{
    private BigInteger Scale => BigInteger.Pow(10, Math.Max(0, Decimals - 9));

    public BigInteger ToUnits(BigInteger raw, bool ceiling = true) => ceiling ? (raw + Scale - 1) / Scale : raw / Scale;

    public string Describe(BigInteger raw) => $"{Amounts.Format(raw, Decimals)} {Unit}";
}

/// <summary>What a budget counts, so it can be recounted from the stored transactions: a network, and optionally a
/// wallet, a caller, a task, a token and a UTC day.</summary>
public sealed record BudgetScope(string Network, string? Wallet = null, string? Caller = null, string? TaskId = null, string? Token = null, DateOnly? Day = null);
