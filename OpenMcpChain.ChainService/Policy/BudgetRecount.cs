using System.Numerics;
using Microsoft.EntityFrameworkCore;
using OpenMcpChain.ChainService.Infrastructure;
using StackExchange.Redis;

namespace OpenMcpChain.ChainService.Policy;

/// <summary>
/// Budgets are counted in Redis for speed, but chaindb's transactions are the record: a budget counter that Redis does
/// not have (it restarted, or lost the key) is recounted from the stored transactions before anything is reserved on
/// it, so a Redis restart never resets what an agent may still spend.
/// </summary>
public sealed class BudgetRecount(ChainDbContext db, IConnectionMultiplexer redis)
{
    public async Task EnsureAsync(IReadOnlyList<Budget> budgets, CancellationToken ct)
    {
        var cache = redis.GetDatabase();
        foreach (var budget in budgets.Where(b => !b.Amount.IsZero))
        {
            if (await cache.KeyExistsAsync(budget.Key)) continue;
            var spent = await SpentAsync(budget.Scope, ct);
            await cache.StringSetAsync(budget.Key, budget.ToUnits(spent).ToString(), TimeSpan.FromDays(31), When.NotExists);
        }
    }

    /// <summary>What the stored transactions in a scope moved (dropped ones sent nothing).</summary>
    private async Task<BigInteger> SpentAsync(BudgetScope scope, CancellationToken ct)
    {
        var rows = db.Transactions.AsNoTracking().Where(t => t.Network == scope.Network && t.Status != TransactionStatuses.Dropped);
        if (scope.Wallet is { } wallet) rows = rows.Where(t => t.From == wallet);
        if (scope.Caller is { } caller) rows = rows.Where(t => t.Caller == caller);
        if (scope.TaskId is { } task) rows = rows.Where(t => t.TaskId == task);
        if (scope.Day is { } day)
        {
            var start = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            var end = start.AddDays(1);
            rows = rows.Where(t => t.CreatedAt >= start && t.CreatedAt < end);
        }
        if (scope.Token is { } token)
        {
            var calls = await rows.Where(t => t.To == token).Select(t => new { t.To, t.Data }).ToListAsync(ct);
            return calls.Aggregate(BigInteger.Zero, (sum, c) => sum + (PolicyGate.TokenSpendOf(c.To, c.Data)?.Amount ?? BigInteger.Zero));
        }
        var values = await rows.Select(t => t.Value).ToListAsync(ct);
        return values.Aggregate(BigInteger.Zero, (sum, v) => sum + BigInteger.Parse(v));
    }
}
