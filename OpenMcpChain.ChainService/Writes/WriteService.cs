using System.Numerics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Nethereum.Hex.HexTypes;
using Nethereum.JsonRpc.Client;
using Nethereum.Model;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Util;
using Nethereum.Web3;
using OpenMcpChain.ChainService.Abi;
using OpenMcpChain.ChainService.Approvals;
using OpenMcpChain.ChainService.Callers;
using OpenMcpChain.ChainService.Errors;
using OpenMcpChain.ChainService.Infrastructure;
using OpenMcpChain.ChainService.Networks;
using OpenMcpChain.ChainService.Policy;
using OpenMcpChain.ChainService.Telemetry;
using OpenMcpChain.ChainService.Wallets;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.ChainService.Writes;

/// <summary>
/// The one path every write takes: idempotency → simulation (eth_call + gas estimate) → policy → approval →
/// budget reservation → nonce + signature, stored before broadcast → broadcast → receipt at the confirmation depth.
/// It is also the one place a write's policy decision is set: the gate's refusal, a parked write, or allowed (on the
/// result, and on any failure after the gate let the write through).
/// </summary>
public sealed partial class WriteService(
    ChainDbContext db, NetworkRegistry networks, WalletRegistry wallets, NonceManager nonces, PolicyGate gate,
    IOptions<Dictionary<string, CallerOptions>> callers, BudgetRecount recount, CallerContext caller,
    IOptions<ApprovalOptions> approvals, ApprovalEvents approvalEvents, ILogger<WriteService> logger)
{
    public string WalletAddress(string? wallet) => wallets.AddressOf(wallet);

    public async Task<WriteResult> ExecuteAsync(WriteIntent intent, ApprovalRequest? approval, CancellationToken ct)
    {
        var (networkName, web3, options) = networks.Resolve(intent.Network);
        var from = wallets.AddressOf(intent.Wallet);
        // A relayed user ("gateway:alice") has its relay's permissions; caller names cannot contain ':'.
        PolicyGate.CheckCaller(callers.Value.GetValueOrDefault(intent.Caller.Split(':')[0]), intent);
        var key = intent.IdempotencyKey ?? $"auto:{Guid.CreateVersion7()}";
        intent = intent with { Network = networkName, IdempotencyKey = key };

        if (await db.Transactions.AsNoTracking().SingleOrDefaultAsync(t => t.IdempotencyKey == key, ct) is { } earlier)
            return await ReplayAsync(earlier, intent, web3, options, ct);

        long gas;
        using (ChainTelemetry.Step("simulate"))
            gas = await SimulateAsync(web3, from, intent);
        bool needsApproval;
        using (var policy = ChainTelemetry.Step("policy"))
        {
            var isContract = !intent.IsCreation && await Rpc.CallAsync(() => web3.Eth.GetCode.SendRequestAsync(intent.To)) is { Length: > 2 };
            var ownContract = isContract && !options.Policy.AllowAnyContract && await DeployedByCallerAsync(intent, ct);
            PolicyGate.CheckStatic(options.Policy, intent, isContract && !ownContract, gas);
            needsApproval = approval is null && PolicyGate.NeedsApproval(options.Policy, intent);
            policy?.SetTag(OpenMcpChain.ServiceDefaults.TaskTelemetry.DecisionTag, needsApproval ? ChainErrorCodes.ApprovalRequired : PolicyDecisions.Allowed);
        }

        if (needsApproval)
        {
            var parked = await ParkAsync(intent, from, web3, gas, ct);
            throw new ChainToolException(new ChainToolError(ChainErrorCodes.ApprovalRequired,
                $"{char.ToUpperInvariant(intent.Summary[0])}{intent.Summary[1..]} needs approval; approval request {parked.Id} is waiting.")
            {
                PolicyDecision = ChainErrorCodes.ApprovalRequired, ApprovalId = parked.Id,
            });
        }

        var budgets = PolicyGate.BudgetsFor(networkName, options.Policy, intent, from);
        await recount.EnsureAsync(budgets, ct);
        await gate.ReserveAsync(budgets);
        try
        {
            return await SendAsync(intent, approval, from, web3, options, gas, budgets, ct);
        }
        catch (ChainToolException e)
        {
            throw e.WithDecision(PolicyDecisions.Allowed);
        }
    }

    /// <summary>
    /// Whether the caller deployed <see cref="WriteIntent.To"/> itself through this service on this network (a confirmed
    /// creation of its own): such a contract needs no allowlist entry, so ProofService's anchor contract, deployed on a
    /// public network whose policy is closed to contracts, can be called by it. Value caps, approval and budgets still apply.
    /// </summary>
    private async Task<bool> DeployedByCallerAsync(WriteIntent intent, CancellationToken ct)
    {
        var creations = await db.Transactions.AsNoTracking()
            .Where(t => t.Network == intent.Network && t.To == "" && t.Caller == intent.Caller && t.Status == TransactionStatuses.Confirmed)
            .Select(t => new { t.From, t.Nonce }).ToListAsync(ct);
        return creations.Any(c => string.Equals(ContractUtils.CalculateContractAddress(c.From, new BigInteger(c.Nonce)), intent.To,
            StringComparison.OrdinalIgnoreCase));
    }

    private async Task<WriteResult> SendAsync(
        WriteIntent intent, ApprovalRequest? approval, string from, Web3 web3, NetworkOptions options, long gas, List<Budget> budgets, CancellationToken ct)
    {
        ChainTransaction row;
        ChainTransaction tx;
        try
        {
            var fees = await FirstFeesAsync(web3, options);
            var chainId = await Rpc.CallAsync(() => web3.Eth.ChainId.SendRequestAsync());
            var balance = await Rpc.CallAsync(() => web3.Eth.GetBalance.SendRequestAsync(from));
            var gasLimit = gas + gas / 5; // headroom over the estimate; unused gas is not charged
            if (balance.Value < intent.ValueWei + gasLimit * fees.MaxFeePerGas!.Value)
                throw new ChainToolException(ChainErrorCodes.InsufficientFunds,
                    $"{from} holds {Amounts.Format(balance.Value)} ETH, not enough for the value plus gas.");

            row = new ChainTransaction
            {
                IdempotencyKey = intent.IdempotencyKey!, Network = intent.Network!, Wallet = intent.Wallet ?? WalletRegistry.DefaultWallet,
                From = from, To = intent.To, Value = intent.Value, Data = intent.Data, GasLimit = (long)gasLimit,
                RawTransaction = "", TxHash = "", Caller = intent.Caller, TaskId = intent.TaskId,
                RequestJson = JsonSerializer.Serialize(intent, OpenMcpChainJson.Options),
                CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
            };
            using var nonceSpan = ChainTelemetry.Step("nonce");
            tx = await nonces.WithNextNonceAsync(intent.Network!, from, web3, db, async nonce =>
            {
                nonceSpan?.SetTag("openmcpchain.nonce", nonce);
                // Under the wallet's lock: a concurrent request with the same key may have stored its transaction since.
                if (await db.Transactions.AsNoTracking().SingleOrDefaultAsync(t => t.IdempotencyKey == row.IdempotencyKey, ct) is { } stored)
                    return stored;
                Sign(row, (long)chainId.Value, fees, nonce);
                db.Transactions.Add(row);
                // Committed before broadcast: after a crash the same bytes are re-sent, never a second signature.
                await db.SaveChangesAsync(CancellationToken.None);
                // From here on the row changes only by tracking's conditional updates: a later SaveChanges of this context
                // (a replacement's record, the approval's tx hash) must not write this copy's view over another tracker's.
                db.Entry(row).State = EntityState.Detached;
                return row;
            }, ct);
        }
        catch
        {
            await gate.ReleaseAsync(budgets);
            throw;
        }
        if (!ReferenceEquals(tx, row))
        {
            await gate.ReleaseAsync(budgets);
            return await ReplayAsync(tx, intent, web3, options, ct);
        }

        if (approval is not null)
        {
            approval.TxHash = tx.TxHash;
        }
        logger.LogInformation("Transaction {TxHash} (nonce {Nonce}) signed for {Caller} on {Network}", tx.TxHash, tx.Nonce, intent.Caller, intent.Network);
        await BroadcastAsync(tx, web3, budgets, ct);
        return await TrackAsync(tx, web3, options, ct);
    }

    /// <summary>A repeated request (same idempotency key) gets the first transaction's result; a different write under the key is refused.</summary>
    private Task<WriteResult> ReplayAsync(ChainTransaction earlier, WriteIntent intent, Web3 web3, NetworkOptions options, CancellationToken ct)
    {
        if (!string.Equals(earlier.To, intent.To, StringComparison.OrdinalIgnoreCase) || earlier.Value != intent.Value || earlier.Data != intent.Data)
            throw new ChainToolException(ChainErrorCodes.IdempotencyKeyReused, $"Idempotency key '{earlier.IdempotencyKey}' was used for a different write.");
        return TrackAsync(earlier, web3, options, ct);
    }

    /// <summary>
    /// Sends the stored bytes; a node that already has them is success. "nonce too low" for bytes the chain does not
    /// have means the nonce was used: by one of the write's own signatures (mined after all, which tracking then
    /// confirms), or by someone else, and then the same intent is re-signed once with a fresh nonce — only for a write
    /// never replaced. Any other definitive refusal drops the row, unless <paramref name="mayDrop"/> is false (a
    /// replacement, whose replaced bytes may still be mined) or an earlier signature may still be mined.
    /// </summary>
    public async Task BroadcastAsync(ChainTransaction tx, Web3 web3, IReadOnlyList<Budget>? budgets, CancellationToken ct, bool mayResign = true, bool mayDrop = true)
    {
        using var span = ChainTelemetry.Step("broadcast");
        span?.SetTag("openmcpchain.tx_hash", tx.TxHash);
        try
        {
            await web3.Eth.Transactions.SendRawTransaction.SendRequestAsync(tx.RawTransaction);
        }
        catch (RpcResponseException e) when (IsAlreadyKnown(e.RpcError?.Message))
        {
        }
        catch (RpcResponseException e)
        {
            if (await web3.Eth.Transactions.GetTransactionByHash.SendRequestAsync(tx.TxHash) is null)
            {
                var refusal = e.RpcError?.Message ?? e.Message;
                var nonceUsed = refusal.Contains("nonce too low", StringComparison.OrdinalIgnoreCase);
                // Mined as one of the write's signatures: the row stays, tracking confirms it; never a second transfer.
                if (nonceUsed && await ReceiptAsync(tx, web3) is not null) return;
                if (mayResign && nonceUsed && tx.Replacements == 0)
                {
                    // Another tracker that re-signed first owns the write now: this copy is reloaded and sends nothing.
                    if (await ResignAsync(tx, web3, ct)) await BroadcastAsync(tx, web3, budgets, ct, mayResign: false);
                    return;
                }
                if (IsFeeTooLow(refusal))
                {
                    // The fees are below what the chain asks now: raise them (same nonce, never a second write), up to the cap.
                    if (mayResign && await ReplaceAsync(tx, web3, networks.Resolve(tx.Network).Options, ReplacementReasons.Underpriced, ct)) return;
                    logger.LogWarning("Transaction {TxHash} (nonce {Nonce}) is priced below what {Network} accepts: {Refusal}", tx.TxHash, tx.Nonce, tx.Network, refusal);
                    if (!mayResign && mayDrop) return;
                    throw new ChainToolException(new ChainToolError(ChainErrorCodes.FeeCapReached,
                        $"Transaction {tx.TxHash} is signed and stored, but {tx.Network} asks for more than the policy's fee cap; it is re-sent when fees fall. Repeat the request with idempotency key '{tx.IdempotencyKey}' to follow it.")
                    {
                        TxHash = tx.TxHash,
                    });
                }
                // Dropped only when no signature at this nonce can still be mined: the nonce went to another
                // transaction (none of the write's signatures has a receipt), or there never was another signature.
                if (mayDrop && (nonceUsed || tx.Replacements == 0))
                {
                    // Not stored when another tracker finished the write meanwhile: its reservation then stands.
                    if (await SetStatusAsync(tx, TransactionStatuses.Dropped) && budgets is not null) await gate.ReleaseAsync(budgets);
                }
                else
                {
                    logger.LogWarning("Transaction {TxHash} (nonce {Nonce}) on {Network} was refused ({Refusal}); kept, as an earlier signature at its nonce may still be mined",
                        tx.TxHash, tx.Nonce, tx.Network, refusal);
                }
                var message = e.RpcError?.Message ?? e.Message;
                throw new ChainToolException(
                    message.Contains("insufficient funds", StringComparison.OrdinalIgnoreCase) ? ChainErrorCodes.InsufficientFunds
                    : message.Contains("nonce", StringComparison.OrdinalIgnoreCase) ? ChainErrorCodes.NonceConflict
                    : ChainErrorCodes.InvalidArgument,
                    $"The node refused the transaction: {message}");
            }
        }
        catch (Exception e) when (Rpc.IsUnavailable(e))
        {
            // Stays 'signed': the recovery worker re-sends the same bytes when the node is back.
            throw new ChainToolException(new ChainToolError(ChainErrorCodes.RpcUnavailable,
                $"Transaction {tx.TxHash} is signed and stored but the node did not answer; it will be re-sent. Repeat the request with idempotency key '{tx.IdempotencyKey}' to follow it.")
            {
                TxHash = tx.TxHash,
            });
        }
        if (tx.Status == TransactionStatuses.Signed) await SetStatusAsync(tx, TransactionStatuses.Broadcast);
    }

    /// <summary>Waits for the receipt at the network's confirmation depth; a timeout answers with the transaction still pending.</summary>
    public async Task<WriteResult> TrackAsync(ChainTransaction tx, Web3 web3, NetworkOptions options, CancellationToken ct)
    {
        using var span = ChainTelemetry.Step("receipt");
        span?.SetTag("openmcpchain.tx_hash", tx.TxHash);
        var deadline = DateTime.UtcNow + options.ReceiptTimeout;
        // At least one look, even with no time to wait (the recovery worker's passes).
        while (tx.Status is TransactionStatuses.Signed or TransactionStatuses.Broadcast)
        {
            var receipt = await ReceiptAsync(tx, web3);
            var head = (long)(await Rpc.CallAsync(() => web3.Eth.Blocks.GetBlockNumber.SendRequestAsync())).Value;
            if (receipt?.BlockNumber is not null)
            {
                var block = (long)receipt.BlockNumber.Value;
                if (head - block + 1 >= options.ConfirmationDepth)
                {
                    tx.BlockNumber = block;
                    tx.GasUsed = (long)receipt.GasUsed.Value;
                    var outcome = receipt.Status?.Value == 1 ? TransactionStatuses.Confirmed : TransactionStatuses.Reverted;
                    // Counted by the one tracker that stores the outcome, not per request or replay that reads it.
                    if (await SetStatusAsync(tx, outcome) && outcome == TransactionStatuses.Confirmed)
                        ChainTelemetry.Sent(tx.Network, options.Symbol, tx.Value);
                    // Not stored when another tracker changed the row meanwhile: this copy was reloaded and looks again.
                    if (tx.Status is not (TransactionStatuses.Signed or TransactionStatuses.Broadcast)) break;
                    continue;
                }
                if (tx.BlockNumber != block)
                {
                    // Mined but not yet final: remembered, so a reorg that takes the block away is noticed even after a restart.
                    tx.BlockNumber = block;
                    await SaveTrackingAsync(tx);
                }
            }
            else
            {
                await WatchUnminedAsync(tx, web3, options, head, ct);
            }
            if (DateTime.UtcNow >= deadline) break;
            await Task.Delay(50, ct);
        }
        span?.SetTag("openmcpchain.tx_status", tx.Status);
        return new WriteResult(tx.Network, tx.TxHash, tx.Status, tx.From, tx.To, tx.Value, tx.Nonce, tx.BlockNumber, tx.GasUsed, tx.IdempotencyKey)
        {
            ContractAddress = tx.To.Length == 0 ? ContractUtils.CalculateContractAddress(tx.From, new BigInteger(tx.Nonce)) : null,
        };
    }

    /// <summary>
    /// Signs the write anew with a fresh nonce, stored only over the bytes it replaces: of two trackers meeting the same
    /// "nonce too low", one re-signs and the other reloads (false), so the write never holds two live nonces.
    /// </summary>
    private async Task<bool> ResignAsync(ChainTransaction tx, Web3 web3, CancellationToken ct)
    {
        var fees = await FirstFeesAsync(web3, networks.Resolve(tx.Network).Options);
        var chainId = (long)(await Rpc.CallAsync(() => web3.Eth.ChainId.SendRequestAsync())).Value;
        var stale = tx.TxHash;
        var saved = await nonces.WithNextNonceAsync(tx.Network, tx.From, web3, db, async nonce =>
        {
            Sign(tx, chainId, fees, nonce);
            tx.Status = TransactionStatuses.Signed;
            tx.SentAtBlock = tx.BlockNumber = null; // new bytes: waiting and mining are counted afresh
            return await SaveTrackingAsync(tx, expectedHash: stale);
        }, ct);
        if (!saved)
        {
            await ReloadAsync(tx);
            return false;
        }
        logger.LogWarning("Nonce of {StaleHash} was taken by another transaction; re-signed as {TxHash} with nonce {Nonce}", stale, tx.TxHash, tx.Nonce);
        return true;
    }

    private void Sign(ChainTransaction row, long chainId, Nethereum.RPC.Fee1559Suggestions.Fee1559 fees, long nonce)
    {
        var key = wallets.Key(row.Wallet);
        if (!string.Equals(key.Address, row.From, StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"Wallet '{row.Wallet}' here is not {row.From}; transaction {row.Id} is not this instance's to sign.");
        var raw = networks.Resolve(row.Network).Options.Fees == FeeTypes.Legacy
            // A legacy gas price is both what the sender offers and what the producer keeps: the max fee stands for it.
            ? key.SignTransaction(new LegacyTransactionChainId(row.To.Length == 0 ? null : row.To, BigInteger.Parse(row.Value), nonce,
                fees.MaxFeePerGas!.Value, row.GasLimit, row.Data, chainId))
            : key.SignTransaction(new Transaction1559(chainId, nonce, fees.MaxPriorityFeePerGas!.Value,
                fees.MaxFeePerGas!.Value, row.GasLimit, row.To.Length == 0 ? null : row.To, BigInteger.Parse(row.Value), row.Data, null));
        row.Nonce = nonce;
        row.MaxFeePerGas = fees.MaxFeePerGas!.Value.ToString();
        row.MaxPriorityFeePerGas = fees.MaxPriorityFeePerGas!.Value.ToString();
        row.RawTransaction = "0x" + raw;
        row.TxHash = "0x" + Sha3Keccack.Current.CalculateHashFromHex(raw);
    }

    private static async Task<Nethereum.RPC.Fee1559Suggestions.Fee1559> SuggestFeesAsync(Web3 web3, NetworkOptions options)
    {
        if (options.Fees != FeeTypes.Legacy)
            return await Rpc.CallAsync(() => web3.FeeSuggestion.GetSimpleFeeSuggestionStrategy().SuggestFeeAsync());
        var price = (await Rpc.CallAsync(() => web3.Eth.GasPrice.SendRequestAsync())).Value;
        return new() { MaxFeePerGas = price, MaxPriorityFeePerGas = price };
    }

    private async Task<long> SimulateAsync(Web3 web3, string from, WriteIntent intent)
    {
        var call = new CallInput(intent.Data, intent.IsCreation ? null : intent.To, new HexBigInteger(intent.ValueWei)) { From = from };
        try
        {
            await web3.Eth.Transactions.Call.SendRequestAsync(call);
            return (long)(await web3.Eth.Transactions.EstimateGas.SendRequestAsync(call)).Value;
        }
        catch (RpcResponseException e)
        {
            var message = e.RpcError?.Message ?? e.Message;
            if (message.Contains("insufficient funds", StringComparison.OrdinalIgnoreCase))
                throw new ChainToolException(ChainErrorCodes.InsufficientFunds, $"{from} cannot pay for this write: {message}");
            var reason = AbiCodec.DecodeRevert(e.RpcError?.Data?.ToString());
            throw new ChainToolException(new ChainToolError(ChainErrorCodes.ExecutionReverted, $"The simulation reverted: {reason}. Nothing was sent.")
            {
                Reason = reason,
            });
        }
        catch (Exception e) when (Rpc.IsUnavailable(e))
        {
            throw Rpc.Unavailable();
        }
    }

    /// <summary>Stores the write for a person to judge, with what they need to judge it, and announces it on the inbox's feed.</summary>
    private async Task<ApprovalRequest> ParkAsync(WriteIntent intent, string from, Web3 web3, long gas, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        var request = new ApprovalRequest
        {
            Id = Guid.CreateVersion7().ToString(), Network = intent.Network!, Wallet = intent.Wallet ?? WalletRegistry.DefaultWallet,
            Kind = intent.Kind, RequestJson = JsonSerializer.Serialize(intent, OpenMcpChainJson.Options),
            Value = intent.Value, To = intent.To, Caller = intent.Caller, TaskId = intent.TaskId, CreatedAt = now,
            From = from, RequestedBy = caller.RequestedBy, Goal = caller.Goal, ExpiresAt = now + approvals.Value.ExpireAfter,
        };
        await ApprovalFacts.DescribeAsync(request, intent, web3, gas);
        db.Approvals.Add(request);
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Write from {From} parked as approval request {ApprovalId}", from, request.Id);
        await approvalEvents.PublishAsync(ApprovalEvent.Created, request);
        ChainTelemetry.ApprovalsRequested.Add(1, new KeyValuePair<string, object?>("network", request.Network));
        return request;
    }

    private Task<bool> SetStatusAsync(ChainTransaction tx, string status)
    {
        tx.Status = status;
        return SaveTrackingAsync(tx);
    }

    private static bool IsAlreadyKnown(string? message) =>
        message is not null && (message.Contains("already known", StringComparison.OrdinalIgnoreCase)
                                || message.Contains("already imported", StringComparison.OrdinalIgnoreCase));
}
