using Microsoft.EntityFrameworkCore;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;
using OpenMcpChain.ChainService.Errors;
using OpenMcpChain.ChainService.Infrastructure;
using OpenMcpChain.Sdk.Contracts;
using StackExchange.Redis;

namespace OpenMcpChain.ChainService.Writes;

/// <summary>
/// Allocates nonces under a Redis lock per (network, address), so every replica agrees. The next nonce is the larger of
/// the chain's pending count and one past our own transactions the chain has not counted yet (signed, broadcast, or
/// seen mined in blocks the node has since lost): a gap left by a dropped transaction is refilled, "nonce too low"
/// cannot recur once the chain has moved on, and a lost transaction keeps its nonce until the recovery re-sends it.
/// </summary>
public sealed class NonceManager(IConnectionMultiplexer redis, ILogger<NonceManager> logger)
{
    private static readonly TimeSpan LockLease = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(20);

    public async Task<T> WithNextNonceAsync<T>(
        string network, string address, Web3 web3, ChainDbContext db, Func<long, Task<T>> signAndStore, CancellationToken ct)
    {
        var key = $"nonce-lock:{network}:{address.ToLowerInvariant()}";
        var token = Guid.NewGuid().ToString("N");
        var redisDb = redis.GetDatabase();
        var deadline = DateTime.UtcNow + LockWait;
        while (!await redisDb.LockTakeAsync(key, token, LockLease))
        {
            if (DateTime.UtcNow > deadline)
                throw new ChainToolException(ChainErrorCodes.NonceConflict, $"The nonce of {address} stayed locked for {LockWait.TotalSeconds:0} s; retry.");
            await Task.Delay(Random.Shared.Next(2, 10), ct);
        }
        try
        {
            var onChain = (long)(await web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(address, BlockParameter.CreatePending())).Value;
            var outstanding = await db.Transactions
                .Where(t => t.Network == network && t.From == address
                            && t.Status != TransactionStatuses.Dropped && t.Nonce >= onChain)
                .MaxAsync(t => (long?)t.Nonce, ct);
            var nonce = Math.Max(onChain, (outstanding ?? -1) + 1);
            logger.LogDebug("Nonce {Nonce} allocated for {Address} on {Network}", nonce, address, network);
            return await signAndStore(nonce);
        }
        finally
        {
            await redisDb.LockReleaseAsync(key, token);
        }
    }
}
