using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace OpenMcpChain.AgentService.Agent;

/// <summary>The model-response cache on Redis, where Redis being away is a cache miss, never a failed task.</summary>
public sealed class ResilientCache(IOptions<RedisCacheOptions> options, ILogger<ResilientCache> logger) : IDistributedCache, IDisposable
{
    private readonly RedisCache _redis = new(options);

    public byte[]? Get(string key) => Try(() => _redis.Get(key), null);
    public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => TryAsync(() => _redis.GetAsync(key, token), null);
    public void Refresh(string key) => Try(() => { _redis.Refresh(key); return true; }, false);
    public Task RefreshAsync(string key, CancellationToken token = default) => TryAsync(async () => { await _redis.RefreshAsync(key, token); return true; }, false);
    public void Remove(string key) => Try(() => { _redis.Remove(key); return true; }, false);
    public Task RemoveAsync(string key, CancellationToken token = default) => TryAsync(async () => { await _redis.RemoveAsync(key, token); return true; }, false);
    public void Set(string key, byte[] value, DistributedCacheEntryOptions o) => Try(() => { _redis.Set(key, value, o); return true; }, false);
    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions o, CancellationToken token = default) =>
        TryAsync(async () => { await _redis.SetAsync(key, value, o, token); return true; }, false);

    public void Dispose() => _redis.Dispose();

    private T Try<T>(Func<T> call, T fallback)
    {
        try
        {
            return call();
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogDebug("Model cache unavailable: {Reason}", e.Message);
            return fallback;
        }
    }

    private async Task<T> TryAsync<T>(Func<Task<T>> call, T fallback)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogDebug("Model cache unavailable: {Reason}", e.Message);
            return fallback;
        }
    }
}
