using Microsoft.EntityFrameworkCore;
using OpenMcpChain.ChainService.Infrastructure;
using OpenMcpChain.ChainService.Networks;
using OpenMcpChain.ChainService.Wallets;

namespace OpenMcpChain.ChainService.Writes;

/// <summary>
/// Finishes what a crash or an unreachable node interrupted: stored transactions that were never acknowledged by the
/// node are re-sent byte for byte (same hash, so never a second transaction), and pending ones are followed to a receipt.
/// </summary>
public sealed class TransactionRecovery(IServiceScopeFactory scopes, ILogger<TransactionRecovery> logger)
    : PeriodicWorker(TimeSpan.FromSeconds(2), logger)
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(3);

    protected override Task RunOnceAsync(CancellationToken ct) => RecoverAsync(ct);

    public async Task RecoverAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChainDbContext>();
        var writes = scope.ServiceProvider.GetRequiredService<WriteService>();
        var networks = scope.ServiceProvider.GetRequiredService<NetworkRegistry>();
        // Only transactions of wallets this instance holds keys for: another deployment sharing the database keeps its own.
        var mine = scope.ServiceProvider.GetRequiredService<WalletRegistry>().All.Select(w => w.Address).ToList();
        var cutoff = DateTimeOffset.UtcNow - Grace;
        var stale = await db.Transactions
            .Where(t => (t.Status == TransactionStatuses.Signed || t.Status == TransactionStatuses.Broadcast) && t.UpdatedAt < cutoff
                        && mine.Contains(t.From))
            .OrderBy(t => t.Nonce)
            .Take(50)
            .ToListAsync(ct);
        foreach (var tx in stale)
        {
            var (_, web3, options) = networks.Resolve(tx.Network);
            if (tx.Status == TransactionStatuses.Signed)
            {
                logger.LogWarning("Re-sending stored transaction {TxHash} (nonce {Nonce}) that was never acknowledged", tx.TxHash, tx.Nonce);
                await writes.BroadcastAsync(tx, web3, budgets: null, ct);
            }
            await writes.TrackAsync(tx, web3, options with { ReceiptTimeout = TimeSpan.Zero }, ct);
        }
    }
}
