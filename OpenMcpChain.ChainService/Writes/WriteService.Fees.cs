using System.Globalization;
using System.Numerics;
using Microsoft.EntityFrameworkCore;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.RPC.Fee1559Suggestions;
using Nethereum.Web3;
using OpenMcpChain.ChainService.Errors;
using OpenMcpChain.ChainService.Infrastructure;
using OpenMcpChain.ChainService.Networks;
using OpenMcpChain.ChainService.Telemetry;
using OpenMcpChain.Sdk.Contracts;

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
        var replaced = (Hash: tx.TxHash, Raw: tx.RawTransaction, tx.MaxFeePerGas, tx.MaxPriorityFeePerGas, tx.BlockNumber, tx.Status);
        Sign(tx, chainId, new Fee1559 { MaxFeePerGas = max, MaxPriorityFeePerGas = tip }, tx.Nonce);
        tx.Replacements++;
        tx.SentAtBlock = head;
        tx.BlockNumber = null;
        // The new bytes and the replacement (which keeps the replaced bytes) are stored together: a crash between two
        // saves would otherwise lose the bytes of a signature the chain may still mine.
        await using (var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None))
        {
            // Only the holder of the current bytes replaces them: a replica or the recovery worker that got there first wins.
            if (!await SaveTrackingAsync(tx, expectedHash: replaced.Hash))
            {
                await transaction.RollbackAsync(CancellationToken.None);
                await ReloadAsync(tx);
                return true;
            }
            db.Replacements.Add(new TransactionReplacement
            {
                TransactionId = tx.Id, Nonce = tx.Nonce, ReplacedHash = replaced.Hash, ReplacedRaw = replaced.Raw, TxHash = tx.TxHash,
                MaxFeePerGas = max.ToString(), MaxPriorityFeePerGas = tip.ToString(), Reason = reason, TaskId = tx.TaskId,
                CreatedAt = DateTimeOffset.UtcNow,
            });
            await db.SaveChangesAsync(CancellationToken.None);
            await transaction.CommitAsync(CancellationToken.None);
        }
        ChainTelemetry.TransactionsReplaced.Add(1, new("network", tx.Network), new("reason", reason));
        logger.LogWarning("Transaction {ReplacedHash} (nonce {Nonce}) on {Network} was {Reason}; replaced by {TxHash} with max fee {MaxFee} and tip {Tip} wei",
            replaced.Hash, tx.Nonce, tx.Network, reason, tx.TxHash, max, tip);
        try
        {
            await BroadcastAsync(tx, web3, budgets: null, ct, mayResign: false, mayDrop: false);
        }
        catch (ChainToolException e) when (e.Code != ChainErrorCodes.RpcUnavailable)
        {
            // A refused replacement (the replaced signature was mined meanwhile, or the bumped fee is more than the wallet
            // holds) never drops the write: the row goes back to the bytes the node has, which may still be mined.
            logger.LogWarning("Replacement {TxHash} of {ReplacedHash} (nonce {Nonce}) on {Network} was refused ({Refusal}); the write stays with {ReplacedHash}",
                tx.TxHash, replaced.Hash, tx.Nonce, tx.Network, e.Message, replaced.Hash);
            var refused = tx.TxHash;
            (tx.TxHash, tx.RawTransaction, tx.MaxFeePerGas, tx.MaxPriorityFeePerGas) = (replaced.Hash, replaced.Raw, replaced.MaxFeePerGas, replaced.MaxPriorityFeePerGas);
            (tx.SentAtBlock, tx.BlockNumber, tx.Status) = (head, replaced.BlockNumber, replaced.Status);
            if (!await SaveTrackingAsync(tx, expectedHash: refused)) await ReloadAsync(tx);
        }
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
                await ReloadAsync(tx);
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

    /// <summary>
    /// The receipt of the current bytes, or of any other signature of the write at its nonce (the bytes they replaced,
    /// or a replacement since given up) if the chain mined that after all; the mined one then becomes the row's.
    /// </summary>
    private async Task<TransactionReceipt?> ReceiptAsync(ChainTransaction tx, Web3 web3)
    {
        var receipt = await Rpc.CallAsync(() => web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(tx.TxHash));
        if (receipt is not null) return receipt;
        var replacements = await db.Replacements.AsNoTracking().Where(r => r.TransactionId == tx.Id).OrderBy(r => r.Id).ToListAsync();
        if (replacements.Count == 0) return null;
        var raws = replacements.GroupBy(r => r.ReplacedHash, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First().ReplacedRaw, StringComparer.OrdinalIgnoreCase);
        var others = replacements.SelectMany(r => new[] { r.ReplacedHash, r.TxHash })
            .Where(h => !string.Equals(h, tx.TxHash, StringComparison.OrdinalIgnoreCase))
            .Distinct(StringComparer.OrdinalIgnoreCase);
        foreach (var hash in others)
        {
            receipt = await Rpc.CallAsync(() => web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(hash));
            if (receipt is null) continue;
            logger.LogInformation("Transaction {TxHash} (nonce {Nonce}) was mined as its other signature {MinedHash}", tx.TxHash, tx.Nonce, hash);
            var current = tx.TxHash;
            if (raws.TryGetValue(hash, out var raw)) (tx.TxHash, tx.RawTransaction) = (hash, raw);
            else await RestoreGivenUpAsync(tx, web3, replacements.Last(r => string.Equals(r.TxHash, hash, StringComparison.OrdinalIgnoreCase)));
            if (!await SaveTrackingAsync(tx, expectedHash: current)) await ReloadAsync(tx);
            return receipt;
        }
        return null;
    }

    /// <summary>
    /// Makes a replacement given up after the node refused it (and so never stored as bytes) the row's signature again,
    /// once the chain mined it after all: signing is deterministic (RFC 6979), so its fees at the write's nonce give the
    /// same bytes, and the row's bytes keep hashing to its hash (they are what a reorg or a lost block re-sends).
    /// </summary>
    private async Task RestoreGivenUpAsync(ChainTransaction tx, Web3 web3, TransactionReplacement givenUp)
    {
        var chainId = (long)(await Rpc.CallAsync(() => web3.Eth.ChainId.SendRequestAsync())).Value;
        var held = (tx.RawTransaction, tx.MaxFeePerGas, tx.MaxPriorityFeePerGas);
        Sign(tx, chainId, new Fee1559 { MaxFeePerGas = BigInteger.Parse(givenUp.MaxFeePerGas), MaxPriorityFeePerGas = BigInteger.Parse(givenUp.MaxPriorityFeePerGas) }, tx.Nonce);
        if (string.Equals(tx.TxHash, givenUp.TxHash, StringComparison.OrdinalIgnoreCase)) return;
        // Not the same bytes after all: the row goes by the mined hash and keeps the bytes it had, a signature at the same nonce.
        logger.LogWarning("Re-signing replacement {MinedHash} (nonce {Nonce}) gave {TxHash}; the write keeps its earlier bytes", givenUp.TxHash, tx.Nonce, tx.TxHash);
        (tx.TxHash, tx.RawTransaction, tx.MaxFeePerGas, tx.MaxPriorityFeePerGas) = (givenUp.TxHash, held.RawTransaction, held.MaxFeePerGas, held.MaxPriorityFeePerGas);
    }

    /// <summary>
    /// Stores what tracking learnt; with <paramref name="expectedHash"/> or <paramref name="expectedBlock"/>, only if the
    /// row still holds those bytes or that block.
    /// </summary>
    private async Task<bool> SaveTrackingAsync(ChainTransaction tx, string? expectedHash = null, long? expectedBlock = null)
    {
        tx.UpdatedAt = DateTimeOffset.UtcNow;
        // Never over bytes this copy has not seen: a tracker holding an older signature must not undo a newer replacement;
        // and never over a write another tracker finished (confirmed, reverted, dropped), so each outcome is stored once.
        var hash = expectedHash ?? tx.TxHash;
        var rows = db.Transactions.Where(t => t.Id == tx.Id && t.TxHash == hash
                                              && (t.Status == TransactionStatuses.Signed || t.Status == TransactionStatuses.Broadcast));
        if (expectedBlock is not null) rows = rows.Where(t => t.BlockNumber == expectedBlock);
        var saved = await rows.ExecuteUpdateAsync(s => s
            .SetProperty(t => t.Nonce, tx.Nonce)
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
        if (!saved && expectedHash is null && expectedBlock is null) await ReloadAsync(tx);
        return saved;
    }

    /// <summary>Replaces this copy's view of the write with the stored one, after another tracker changed it.</summary>
    private async Task ReloadAsync(ChainTransaction tx)
    {
        var current = await db.Transactions.AsNoTracking().SingleAsync(t => t.Id == tx.Id);
        (tx.Nonce, tx.TxHash, tx.RawTransaction, tx.Status, tx.Replacements, tx.Reorgs) = (current.Nonce, current.TxHash, current.RawTransaction, current.Status, current.Replacements, current.Reorgs);
        (tx.MaxFeePerGas, tx.MaxPriorityFeePerGas, tx.SentAtBlock, tx.BlockNumber, tx.GasUsed) = (current.MaxFeePerGas, current.MaxPriorityFeePerGas, current.SentAtBlock, current.BlockNumber, current.GasUsed);
        tx.UpdatedAt = current.UpdatedAt;
    }

    private static bool IsFeeTooLow(string refusal) =>
        refusal.Contains("underpriced", StringComparison.OrdinalIgnoreCase)
        || refusal.Contains("base fee", StringComparison.OrdinalIgnoreCase)
        || refusal.Contains("fee cap", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether a configured fee (Policy:MaxFeePerGas, PriorityFee) is empty or a non-negative gwei amount; checked at start-up.</summary>
    internal static bool IsGweiSetting(string? gwei) =>
        string.IsNullOrWhiteSpace(gwei) || decimal.TryParse(gwei, NumberStyles.Number, CultureInfo.InvariantCulture, out var amount) && amount >= 0;

    private static BigInteger? Gwei(string? gwei) =>
        string.IsNullOrWhiteSpace(gwei) ? null : Web3.Convert.ToWei(decimal.Parse(gwei, CultureInfo.InvariantCulture), Nethereum.Util.UnitConversion.EthUnit.Gwei);
}
