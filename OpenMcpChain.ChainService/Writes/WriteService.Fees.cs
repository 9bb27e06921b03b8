using System.Globalization;
using System.Numerics;
using Microsoft.EntityFrameworkCore;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.RPC.Fee1559Suggestions;
using Nethereum.Web3;
using OpenMcpChain.ChainService.Errors;
using OpenMcpChain.ChainService.Infrastructure;
using OpenMcpChain.ChainService.Networks;

namespace OpenMcpChain.ChainService.Writes;

/// <summary>Why a transaction was re-signed at its nonce with higher fees.</summary>
public static class ReplacementReasons
{
    /// <summary>Not mined within <see cref="NetworkOptions.StuckAfterBlocks"/> blocks.</summary>
    public const string Stuck = "stuck";
    /// <summary>The node refused the stored bytes as priced below its base fee or a pooled copy.</summary>
    public const string Underpriced = "underpriced";
}

/// <summary>
/// Fees, stuck writes and reorgs: a write the chain leaves unmined is replaced at the same nonce with both fees raised
/// by at least the EIP-1559 replacement margin, never above the policy's cap; a write whose block a reorg took away is
/// sent again with its stored bytes. Every path keeps the one row (and the one budget reservation) the write has.
/// </summary>
public sealed partial class WriteService
{
    /// <summary>The fees of a first signature: the node's suggestion, the network's configured tip, the policy's cap.</summary>
    private static async Task<Fee1559> FirstFeesAsync(Web3 web3, NetworkOptions options)
    {
        var suggested = await SuggestFeesAsync(web3, options);
        if (options.Fees == FeeTypes.Legacy)
        {
            var price = Gwei(options.Policy.MaxFeePerGas) is { } legacyCap ? BigInteger.Min(legacyCap, suggested.MaxFeePerGas!.Value) : suggested.MaxFeePerGas!.Value;
            return new Fee1559 { MaxFeePerGas = price, MaxPriorityFeePerGas = price };
        }
        var tip = Gwei(options.PriorityFee) ?? suggested.MaxPriorityFeePerGas!.Value;
        var max = suggested.MaxFeePerGas!.Value - suggested.MaxPriorityFeePerGas!.Value + tip;
        if (Gwei(options.Policy.MaxFeePerGas) is { } cap && max > cap) max = cap;
        return new Fee1559 { MaxFeePerGas = max, MaxPriorityFeePerGas = BigInteger.Min(tip, max) };
    }

    /// <summary>
    /// Re-signs <paramref name="tx"/> at its nonce with both fees raised by <see cref="NetworkOptions.FeeBumpPercent"/>
    /// (or to the node's current suggestion, if higher), stores the new bytes and the replacement before sending them.
    /// False when the policy's fee cap leaves no room for a valid replacement.
    /// </summary>
    private async Task<bool> ReplaceAsync(ChainTransaction tx, Web3 web3, NetworkOptions options, string reason, CancellationToken ct)
    {
        if (tx.MaxFeePerGas is null || tx.MaxPriorityFeePerGas is null) return false; // signed before fees were recorded
        var (oldMax, oldTip) = (BigInteger.Parse(tx.MaxFeePerGas), BigInteger.Parse(tx.MaxPriorityFeePerGas));
        var bump = Math.Max(10, options.FeeBumpPercent);
        BigInteger Bumped(BigInteger fee) => BigInteger.Max(fee + 1, (fee * (100 + bump) + 99) / 100);
        var suggested = await SuggestFeesAsync(web3, options);
        var tip = BigInteger.Max(Bumped(oldTip), suggested.MaxPriorityFeePerGas!.Value);
        var max = BigInteger.Max(Bumped(oldMax), suggested.MaxFeePerGas!.Value - suggested.MaxPriorityFeePerGas!.Value + tip);
        if (Gwei(options.Policy.MaxFeePerGas) is { } cap && max > cap) max = cap;
        tip = BigInteger.Min(tip, max);
        if (max < Bumped(oldMax) || tip < Bumped(oldTip))
        {
            logger.LogWarning("Transaction {TxHash} (nonce {Nonce}) on {Network} cannot be replaced: its fees are at the policy's cap of {Cap} wei",
                tx.TxHash, tx.Nonce, tx.Network, max);
            return false;
        }

        var chainId = (long)(await Rpc.CallAsync(() => web3.Eth.ChainId.SendRequestAsync())).Value;
        var head = (long)(await Rpc.CallAsync(() => web3.Eth.Blocks.GetBlockNumber.SendRequestAsync())).Value;
        var (replacedHash, replacedRaw) = (tx.TxHash, tx.RawTransaction);
        Sign(tx, chainId, new Fee1559 { MaxFeePerGas = max, MaxPriorityFeePerGas = tip }, tx.Nonce);
        tx.Replacements++;
        tx.SentAtBlock = head;
        tx.BlockNumber = null;
        // Only the holder of the current bytes replaces them: a replica or the recovery worker that got there first wins.
        if (!await SaveTrackingAsync(tx, expectedHash: replacedHash))
        {
            var current = await db.Transactions.AsNoTracking().SingleAsync(t => t.Id == tx.Id, ct);
            (tx.TxHash, tx.RawTransaction, tx.Status, tx.Replacements) = (current.TxHash, current.RawTransaction, current.Status, current.Replacements);
            (tx.MaxFeePerGas, tx.MaxPriorityFeePerGas, tx.SentAtBlock) = (current.MaxFeePerGas, current.MaxPriorityFeePerGas, current.SentAtBlock);
            return true;
        }
        db.Replacements.Add(new TransactionReplacement
        {
            TransactionId = tx.Id, Nonce = tx.Nonce, ReplacedHash = replacedHash, ReplacedRaw = replacedRaw, TxHash = tx.TxHash,
            MaxFeePerGas = max.ToString(), MaxPriorityFeePerGas = tip.ToString(), Reason = reason, TaskId = tx.TaskId,
            CreatedAt = DateTimeOffset.UtcNow,
        });
        await db.SaveChangesAsync(CancellationToken.None);
        logger.LogWarning("Transaction {ReplacedHash} (nonce {Nonce}) on {Network} was {Reason}; replaced by {TxHash} with max fee {MaxFee} and tip {Tip} wei",
            replacedHash, tx.Nonce, tx.Network, reason, tx.TxHash, max, tip);
        await BroadcastAsync(tx, web3, budgets: null, ct, mayResign: false);
        return true;
    }

    /// <summary>
    /// A write with no receipt: if it had one, a reorg took it away and the stored bytes go out again; if it has waited
    /// <see cref="NetworkOptions.StuckAfterBlocks"/> blocks since it was sent, it is replaced with higher fees.
    /// </summary>
    private async Task WatchUnminedAsync(ChainTransaction tx, Web3 web3, NetworkOptions options, long head, CancellationToken ct)
    {
        if (tx.BlockNumber is { } lostBlock)
        {
            tx.BlockNumber = null;
            tx.Reorgs++;
            tx.SentAtBlock = head;
            // Counted once however many trackers (a request, the recovery worker, replicas) notice it.
            if (!await SaveTrackingAsync(tx, expectedBlock: lostBlock))
            {
                tx.Reorgs = (await db.Transactions.AsNoTracking().SingleAsync(t => t.Id == tx.Id, ct)).Reorgs;
                return;
            }
            logger.LogWarning("Transaction {TxHash} (nonce {Nonce}) left {Network} in a reorg (it was in block {Block}); its stored bytes are sent again",
                tx.TxHash, tx.Nonce, tx.Network, lostBlock);
            if (await Rpc.CallAsync(() => web3.Eth.Transactions.GetTransactionByHash.SendRequestAsync(tx.TxHash)) is null)
                await BroadcastAsync(tx, web3, budgets: null, ct, mayResign: false);
            return;
        }
        if (tx.SentAtBlock is not { } sentAt)
        {
            tx.SentAtBlock = head;
            await SaveTrackingAsync(tx);
        }
        else if (options.StuckAfterBlocks > 0 && head - sentAt >= options.StuckAfterBlocks
                 && !await ReplaceAsync(tx, web3, options, ReplacementReasons.Stuck, ct))
        {
            tx.SentAtBlock = head; // at the cap: waits another round of blocks before looking again
            await SaveTrackingAsync(tx);
        }
    }

    /// <summary>The receipt of the current bytes, or of bytes they replaced if the chain mined those after all (which then become the row's).</summary>
    private async Task<TransactionReceipt?> ReceiptAsync(ChainTransaction tx, Web3 web3)
    {
        var receipt = await Rpc.CallAsync(() => web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(tx.TxHash));
        if (receipt is not null || tx.Replacements == 0) return receipt;
        var replaced = await db.Replacements.AsNoTracking().Where(r => r.TransactionId == tx.Id).ToListAsync();
        foreach (var earlier in replaced)
        {
            receipt = await Rpc.CallAsync(() => web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(earlier.ReplacedHash));
            if (receipt is null) continue;
            logger.LogInformation("Transaction {TxHash} (nonce {Nonce}) was mined as its earlier signature {MinedHash}", tx.TxHash, tx.Nonce, earlier.ReplacedHash);
            var current = tx.TxHash;
            (tx.TxHash, tx.RawTransaction) = (earlier.ReplacedHash, earlier.ReplacedRaw);
            await SaveTrackingAsync(tx, expectedHash: current);
            return receipt;
        }
        return null;
    }

    /// <summary>
    /// Stores what tracking learnt; with <paramref name="expectedHash"/> or <paramref name="expectedBlock"/>, only if the
    /// row still holds those bytes or that block.
    /// </summary>
    private async Task<bool> SaveTrackingAsync(ChainTransaction tx, string? expectedHash = null, long? expectedBlock = null)
    {
        tx.UpdatedAt = DateTimeOffset.UtcNow;
        var rows = db.Transactions.Where(t => t.Id == tx.Id);
        if (expectedHash is not null) rows = rows.Where(t => t.TxHash == expectedHash);
        if (expectedBlock is not null) rows = rows.Where(t => t.BlockNumber == expectedBlock);
        return await rows.ExecuteUpdateAsync(s => s
            .SetProperty(t => t.TxHash, tx.TxHash)
            .SetProperty(t => t.RawTransaction, tx.RawTransaction)
            .SetProperty(t => t.MaxFeePerGas, tx.MaxFeePerGas)
            .SetProperty(t => t.MaxPriorityFeePerGas, tx.MaxPriorityFeePerGas)
            .SetProperty(t => t.SentAtBlock, tx.SentAtBlock)
            .SetProperty(t => t.BlockNumber, tx.BlockNumber)
            .SetProperty(t => t.GasUsed, tx.GasUsed)
            .SetProperty(t => t.Replacements, tx.Replacements)
            .SetProperty(t => t.Reorgs, tx.Reorgs)
            .SetProperty(t => t.Status, tx.Status)
            .SetProperty(t => t.UpdatedAt, tx.UpdatedAt), CancellationToken.None) == 1;
    }

    private static bool IsFeeTooLow(string refusal) =>
        refusal.Contains("underpriced", StringComparison.OrdinalIgnoreCase)
        || refusal.Contains("base fee", StringComparison.OrdinalIgnoreCase)
        || refusal.Contains("fee cap", StringComparison.OrdinalIgnoreCase);

    private static BigInteger? Gwei(string? gwei) =>
        string.IsNullOrWhiteSpace(gwei) ? null : Web3.Convert.ToWei(decimal.Parse(gwei, CultureInfo.InvariantCulture), Nethereum.Util.UnitConversion.EthUnit.Gwei);
}
