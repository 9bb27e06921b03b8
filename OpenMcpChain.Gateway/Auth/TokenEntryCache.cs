using System.Collections.Concurrent;
using OpenIddict.Abstractions;
using StackExchange.Redis;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenMcpChain.Gateway.Auth;

/// <summary>What the API's token check needs of an access token's row in gatewaydb: whether it is still valid, and its dates and ids.</summary>
public sealed record TokenEntry(string Id, bool IsValid, string? ReferenceId, DateTimeOffset? CreationDate, DateTimeOffset? ExpirationDate,
    string? AuthorizationId, string? Type);

/// <summary>
/// The token rows the API's requests were checked against, so a request with a token seen before costs no gatewaydb
/// round trip (issue 15, P5). A revocation still counts at once: every change of a token's state (<see cref="TokenStateManager{TToken}"/>)
/// empties this replica's cache before it answers, and tells the other replicas over Redis, which empty theirs. While this
/// replica cannot hear them (Redis unreachable) nothing is cached and every request reads gatewaydb, as before; an entry
/// is also read again after <see cref="MaxAge"/>, a bound on what a lost message could leave behind.
/// </summary>
public sealed class TokenEntryCache(IConnectionMultiplexer redis, ILogger<TokenEntryCache> logger) : IHostedService
{
    public static readonly RedisChannel Channel = RedisChannel.Literal("openmcp-chain:gateway:token-state-changed");
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(30);
    private const int MaxEntries = 10_000;

    // Replaced as a whole on every change: a read that began before the change can only fill the generation it began
    // with, which nobody reads any more.
    private volatile ConcurrentDictionary<string, (TokenEntry Entry, long ReadAt)> _entries = new(StringComparer.Ordinal);
    private volatile bool _listening, _subscribed;

    /// <summary>The row of the token with this id (null when there is none), from the cache or else from gatewaydb (<paramref name="services"/>: the request's).</summary>
    public async ValueTask<TokenEntry?> FindAsync(string id, IServiceProvider services, CancellationToken ct)
    {
        var entries = _entries;
        var now = Environment.TickCount64;
        if (_listening && entries.TryGetValue(id, out var cached) && now - cached.ReadAt < MaxAge.TotalMilliseconds) return cached.Entry;

        var manager = services.GetRequiredService<IOpenIddictTokenManager>();
        if (await manager.FindByIdAsync(id, ct) is not { } token) return null;
        var entry = new TokenEntry(id, await manager.HasStatusAsync(token, Statuses.Valid, ct), await manager.GetReferenceIdAsync(token, ct),
            await manager.GetCreationDateAsync(token, ct), await manager.GetExpirationDateAsync(token, ct),
            await manager.GetAuthorizationIdAsync(token, ct), await manager.GetTypeAsync(token, ct));
        if (_listening)
        {
            if (entries.Count >= MaxEntries) Clear();
            else entries[id] = (entry, now);
        }
        return entry;
    }

    /// <summary>A token's state changed here: forget every entry at once, then tell the other replicas.</summary>
    public async Task ChangedAsync()
    {
        Clear();
        try
        {
            await redis.GetSubscriber().PublishAsync(Channel, RedisValue.EmptyString);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // The other replicas read the row again within MaxAge at the latest.
            logger.LogWarning("The other Gateway replicas could not be told of a token's changed state: {Reason}", e.Message);
        }
    }

    private void Clear() => _entries = new(StringComparer.Ordinal);

    public Task StartAsync(CancellationToken ct)
    {
        // A connection lost may have lost a message: stop caching until it is back, and start afresh then.
        redis.ConnectionFailed += (_, _) =>
        {
            _listening = false;
            Clear();
        };
        redis.ConnectionRestored += (_, _) =>
        {
            Clear();
            _ = ListenAsync();
        };
        _ = ListenAsync(); // not awaited: the Gateway starts (and reads gatewaydb on every request) while Redis is away
        return Task.CompletedTask;
    }

    private async Task ListenAsync()
    {
        try
        {
            if (!_subscribed)
            {
                await redis.GetSubscriber().SubscribeAsync(Channel, (_, _) => Clear());
                _subscribed = true;
            }
            // Listening only once the subscription's own connection is up.
            _listening = redis.GetSubscriber().IsConnected(Channel);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogWarning("Token checks read gatewaydb on every request until Redis is reachable: {Reason}", e.Message);
        }
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
