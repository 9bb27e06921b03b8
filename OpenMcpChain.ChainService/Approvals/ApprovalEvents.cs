using System.Text.Json;
using OpenMcpChain.ChainService.Infrastructure;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;
using StackExchange.Redis;

namespace OpenMcpChain.ChainService.Approvals;

/// <summary>
/// The approval inbox's live feed: one Redis Stream of <see cref="ApprovalEvent"/>s (a request parked, or its status
/// changed), shared by every replica, read from a position so a client resumes with <c>Last-Event-ID</c>. Best effort:
/// the database stays the record, and a reader that missed an event finds the request in the list.
/// </summary>
public sealed class ApprovalEvents(IConnectionMultiplexer redis, ILogger<ApprovalEvents> logger)
{
    public const string StreamKey = "chain:approvals:events";
    private const int Retained = 10_000;

    public async Task PublishAsync(string type, ApprovalRequest approval)
    {
        try
        {
            var json = JsonSerializer.Serialize(new ApprovalEvent(type, approval.ToResponse()), OpenMcpChainJson.Options);
            await redis.GetDatabase().StreamAddAsync(StreamKey, "event", json, maxLength: Retained, useApproximateMaxLength: true);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogWarning("Approval event {Type} of {ApprovalId} not published: {Reason}", type, approval.Id, e.Message);
        }
    }

    /// <summary>The id of the newest event ("0-0" when there is none): a new reader starts after it.</summary>
    public async Task<string> LatestIdAsync()
    {
        var newest = await redis.GetDatabase().StreamRangeAsync(StreamKey, "-", "+", count: 1, messageOrder: Order.Descending);
        return newest.Length == 0 ? "0-0" : newest[0].Id.ToString();
    }

    /// <summary>Events after <paramref name="after"/> (exclusive), oldest first, with their stream ids.</summary>
    public async Task<IReadOnlyList<(string Id, string Json)>> ReadAsync(string after)
    {
        var entries = await redis.GetDatabase().StreamRangeAsync(StreamKey, after == "0-0" ? "-" : "(" + after, "+", count: 100);
        return [.. entries.Select(e => (e.Id.ToString(), e["event"].ToString()))];
    }

    /// <summary>A stream id as Redis writes them (<c>ms-seq</c>).</summary>
    public static bool IsEventId(string id) =>
        id.Split('-') is [var ms, var seq] && ulong.TryParse(ms, out _) && ulong.TryParse(seq, out _);
}
