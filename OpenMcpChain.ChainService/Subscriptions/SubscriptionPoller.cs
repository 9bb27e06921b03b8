using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Nethereum.Contracts;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;
using OpenMcpChain.ChainService.Abi;
using OpenMcpChain.ChainService.Infrastructure;
using OpenMcpChain.ChainService.Networks;
using OpenMcpChain.Sdk;
using OpenMcpChain.ServiceDefaults;
using StackExchange.Redis;

namespace OpenMcpChain.ChainService.Subscriptions;

/// <summary>
/// Follows every subscription from its checkpoint to the confirmed head (head − depth + 1), decodes matching logs,
/// stores them and publishes each on the Redis Stream <c>chain:events:{subscription}</c>. The checkpoint moves in the
/// same transaction as the stored events, so a restart neither skips nor duplicates; replicas take turns (a database
/// lock per pass), so two never store or publish the same events.
/// </summary>
public sealed class SubscriptionPoller(IServiceScopeFactory scopes, IConnectionMultiplexer redis, ILogger<SubscriptionPoller> logger)
    : PeriodicWorker(TimeSpan.FromSeconds(1), logger)
{
    private const int MaxBlocksPerPass = 2000;
    public static string StreamKey(string subscriptionId) => $"chain:events:{subscriptionId}";

    protected override Task RunOnceAsync(CancellationToken ct) => PollAsync(ct);

    public async Task PollAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChainDbContext>();
        var networks = scope.ServiceProvider.GetRequiredService<NetworkRegistry>();
        await db.RunExclusiveAsync("subscriptions", () => PollAllAsync(db, networks, ct), ct);
    }

    private async Task PollAllAsync(ChainDbContext db, NetworkRegistry networks, CancellationToken ct)
    {
        foreach (var subscription in await db.Subscriptions.ToListAsync(ct))
        {
            var (_, web3, options) = networks.Resolve(subscription.Network);
            var confirmed = (long)(await web3.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value - (options.ConfirmationDepth - 1);
            if (subscription.NextBlock > confirmed) continue;
            var to = Math.Min(confirmed, subscription.NextBlock + MaxBlocksPerPass - 1);
            var ev = AbiCodec.ParseEvent(subscription.EventSignature);
            var logs = await web3.Eth.Filters.GetLogs.SendRequestAsync(new NewFilterInput
            {
                Address = [subscription.Address],
                FromBlock = new BlockParameter(new HexBigInteger(subscription.NextBlock)),
                ToBlock = new BlockParameter(new HexBigInteger(to)),
                Topics = [subscription.Topic0],
            });
            var events = logs.Select(log => new ChainEvent
            {
                SubscriptionId = subscription.Id,
                BlockNumber = (long)log.BlockNumber.Value,
                TxHash = log.TransactionHash,
                LogIndex = (int)log.LogIndex.Value,
                ArgsJson = JsonSerializer.Serialize(
                    ev.DecodeEventDefaultTopics(log).Event.ToDictionary(p => p.Parameter.Name ?? $"arg{p.Parameter.Order}", p => AbiCodec.ToJsonValue(p.Result)),
                    OpenMcpChainJson.Options),
                CreatedAt = DateTimeOffset.UtcNow,
            }).ToList();
            db.Events.AddRange(events);
            subscription.NextBlock = to + 1;
            await db.SaveChangesAsync(ct);
            foreach (var e in events)
            {
                await redis.GetDatabase().StreamAddAsync(StreamKey(subscription.Id),
                    [new("block_number", e.BlockNumber), new("tx_hash", e.TxHash), new("log_index", e.LogIndex), new("args", e.ArgsJson)]);
            }
            if (events.Count > 0)
                logger.LogInformation("Subscription {SubscriptionId} received {Count} events up to block {Block}", subscription.Id, events.Count, to);
        }
    }
}
