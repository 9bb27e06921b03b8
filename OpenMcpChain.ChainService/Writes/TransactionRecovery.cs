using Microsoft.EntityFrameworkCore;
using Nethereum.RPC.Eth.DTOs;
using OpenMcpChain.ChainService.Errors;
using OpenMcpChain.ChainService.Infrastructure;
using OpenMcpChain.ChainService.Networks;
using OpenMcpChain.ChainService.Wallets;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.ChainService.Writes;

/// <summary>
/// Finishes what a crash or an unreachable node interrupted, always with the stored bytes (same hash, so never a second
/// transaction): stored transactions the node does not have are re-sent — never acknowledged, lost from its pool, or
/// seen mined in blocks the node has since lost (a devnet killed between two saves of its state) — and pending ones
/// are followed to a receipt.
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
        foreach (var network in networks.Names)
        {
            foreach (var wallet in mine)
            {
                try
                {
                    await RestoreLostAsync(db, writes, networks, network, wallet, ct);
                }
                catch (ChainToolException e)
                {
                    logger.LogWarning("Lost transactions of {Wallet} on {Network} are not restored in this pass: {Code} {Message}", wallet, network, e.Code, e.Message);
                }
            }
        }

        var cutoff = DateTimeOffset.UtcNow - Grace;
        // Untracked: rows change only by tracking's conditional updates, never by a SaveChanges of this context.
        var stale = await db.Transactions.AsNoTracking()
            .Where(t => (t.Status == TransactionStatuses.Signed || t.Status == TransactionStatuses.Broadcast) && t.UpdatedAt < cutoff
                        && mine.Contains(t.From))
            .OrderBy(t => t.Nonce)
            .Take(50)
            .ToListAsync(ct);
        foreach (var tx in stale)
        {
            var (_, web3, options) = networks.Resolve(tx.Network);
            var look = options with { ReceiptTimeout = TimeSpan.Zero };
            // One write the node refuses (a fee above the cap, a nonce conflict) must not hold up the rest of the pass.
            try
            {
                if (tx.Status == TransactionStatuses.Signed)
                {
                    logger.LogWarning("Re-sending stored transaction {TxHash} (nonce {Nonce}) that was never acknowledged", tx.TxHash, tx.Nonce);
                    await writes.BroadcastAsync(tx, web3, budgets: null, ct);
                }
                else
                {
                    // Receipts of all the write's signatures first: the node forgets a replacement whose replaced bytes it mined.
                    await writes.TrackAsync(tx, web3, look, ct);
                    if (tx.Status != TransactionStatuses.Broadcast
                        || await Rpc.CallAsync(() => web3.Eth.Transactions.GetTransactionByHash.SendRequestAsync(tx.TxHash)) is not null)
                        continue;
                    logger.LogWarning("Re-sending broadcast transaction {TxHash} (nonce {Nonce}) that the node no longer has", tx.TxHash, tx.Nonce);
                    await writes.BroadcastAsync(tx, web3, budgets: null, ct);
                }
                await writes.TrackAsync(tx, web3, look, ct);
            }
            catch (ChainToolException e)
            {
                logger.LogWarning("Transaction {TxHash} (nonce {Nonce}) on {Network} is not recovered in this pass: {Code} {Message}",
                    tx.TxHash, tx.Nonce, tx.Network, e.Code, e.Message);
            }
        }
    }

    /// <summary>
    /// Transactions recorded as mined whose nonce the chain has not counted: the node lost the blocks that held them.
    /// They go back to broadcast and their stored bytes are sent again with the same nonce; the nonce manager keeps
    /// those nonces reserved meanwhile, so no other write can take them.
    /// </summary>
    private async Task RestoreLostAsync(ChainDbContext db, WriteService writes, NetworkRegistry networks, string network, string wallet, CancellationToken ct)
    {
        var highest = await db.Transactions.Where(t => t.Network == network && t.From == wallet).MaxAsync(t => (long?)t.Nonce, ct);
        if (highest is null) return;
        var web3 = networks.Get(network);
        long counted;
        try
        {
            counted = (long)(await Rpc.CallAsync(() => web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(wallet, BlockParameter.CreateLatest()))).Value;
        }
        catch (ChainToolException e) when (e.Code == ChainErrorCodes.RpcUnavailable)
        {
            logger.LogDebug("Network {Network} is not answering; lost transactions are looked for on the next pass", network);
            return;
        }
        if (counted > highest) return;
        var lost = await db.Transactions.AsNoTracking()
            .Where(t => t.Network == network && t.From == wallet && t.Nonce >= counted
                        && (t.Status == TransactionStatuses.Confirmed || t.Status == TransactionStatuses.Reverted))
            .OrderBy(t => t.Nonce)
            .ToListAsync(ct);
        foreach (var tx in lost)
        {
            // Mined just now, after the count was read: not lost.
            if (await Rpc.CallAsync(() => web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(tx.TxHash)) is not null) continue;
            logger.LogWarning("Transaction {TxHash} (nonce {Nonce}) was mined in block {Block}, which {Network} no longer has; re-sending its stored bytes",
                tx.TxHash, tx.Nonce, tx.BlockNumber, network);
            tx.Status = TransactionStatuses.Broadcast;
            tx.BlockNumber = null;
            tx.GasUsed = null;
            tx.UpdatedAt = DateTimeOffset.UtcNow;
            var reopened = await db.Transactions.Where(t => t.Id == tx.Id && (t.Status == TransactionStatuses.Confirmed || t.Status == TransactionStatuses.Reverted))
                .ExecuteUpdateAsync(s => s
                    .SetProperty(t => t.Status, tx.Status)
                    .SetProperty(t => t.BlockNumber, tx.BlockNumber)
                    .SetProperty(t => t.GasUsed, tx.GasUsed)
                    .SetProperty(t => t.UpdatedAt, tx.UpdatedAt), ct);
            if (reopened == 0) continue; // another replica got there first
            // The bytes the chain once accepted; were the nonce taken meanwhile, the row is dropped rather than signed anew.
            await writes.BroadcastAsync(tx, web3, budgets: null, ct, mayResign: false);
        }
    }
}
