using System.Numerics;
using StackExchange.Redis;

namespace OpenMcpChain.ChainService.Policy;

/// <summary>Spend budgets in Redis. Reserve checks and adds every budget in one script, so parallel writes cannot overshoot.</summary>
public sealed class BudgetLedger(IConnectionMultiplexer redis)
{
    // Counters are in gwei: exact in Lua's doubles up to ~9 million ETH, and within INCRBY's int64.
    private static readonly BigInteger WeiPerGwei = 1_000_000_000;

    private const string ReserveScript =
        """
        local amount = tonumber(ARGV[1])
        for i = 1, #KEYS do
          local limit = tonumber(ARGV[i + 2])
          if limit >= 0 and tonumber(redis.call('GET', KEYS[i]) or '0') + amount > limit then return i end
        end
        for i = 1, #KEYS do
          redis.call('INCRBY', KEYS[i], amount)
          redis.call('EXPIRE', KEYS[i], ARGV[2])
        end
        return 0
        """;

    /// <summary>Reserves <paramref name="wei"/> on every budget, or none; returns the name of the budget that would overflow.</summary>
    public async Task<string?> TryReserveAsync(IReadOnlyList<Budget> budgets, BigInteger wei)
    {
        if (budgets.Count == 0 || wei.IsZero) return null;
        var amount = ToGwei(wei);
        RedisValue[] args = [amount.ToString(), (long)TimeSpan.FromDays(31).TotalSeconds, .. budgets.Select(b => (RedisValue)(b.LimitWei is { } l ? ToGwei(l, ceiling: false).ToString() : "-1"))];
        var result = (long)await redis.GetDatabase().ScriptEvaluateAsync(ReserveScript, [.. budgets.Select(b => (RedisKey)b.Key)], args);
        return result == 0 ? null : budgets[(int)result - 1].Name;
    }

    public async Task ReleaseAsync(IReadOnlyList<Budget> budgets, BigInteger wei)
    {
        if (budgets.Count == 0 || wei.IsZero) return;
        var amount = (long)ToGwei(wei);
        var db = redis.GetDatabase();
        await Task.WhenAll(budgets.Select(b => db.StringDecrementAsync(b.Key, amount)));
    }

    public async Task<BigInteger> SpentAsync(Budget budget) =>
        (BigInteger)(long)(await redis.GetDatabase().StringGetAsync(budget.Key)).TryParseLong() * WeiPerGwei;

    private static BigInteger ToGwei(BigInteger wei, bool ceiling = true) =>
        ceiling ? (wei + WeiPerGwei - 1) / WeiPerGwei : wei / WeiPerGwei;
}

/// <summary>One budget: its Redis key, a name for error messages, and its limit (null: unlimited, only counted).</summary>
public sealed record Budget(string Name, string Key, BigInteger? LimitWei);

internal static class RedisValueExtensions
{
    public static long TryParseLong(this RedisValue value) => value.TryParse(out long parsed) ? parsed : 0;
}
