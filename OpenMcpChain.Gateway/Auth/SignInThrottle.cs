using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace OpenMcpChain.Gateway.Auth;

/// <summary>
/// Counts failed password sign-ins per user and per client address in Redis (so every replica sees the same count) and
/// locks either for <see cref="LockoutOptions.LockFor"/> once it reaches its limit.
/// </summary>
public sealed class SignInThrottle(IConnectionMultiplexer redis, IOptionsMonitor<AuthOptions> options, ILogger<SignInThrottle> logger)
{
    /// <summary>How much longer the user or the address is locked; null when neither is.</summary>
    public async Task<TimeSpan?> LockedForAsync(string user, string address)
    {
        try
        {
            var db = redis.GetDatabase();
            var left = await Task.WhenAll(db.KeyTimeToLiveAsync(Key("lock", "user", user)), db.KeyTimeToLiveAsync(Key("lock", "address", address)));
            return left.Max() is { } longest && longest > TimeSpan.Zero ? longest : null;
        }
        catch (RedisException e)
        {
            // Without Redis the password check still runs (PBKDF2 keeps it slow); the outage is in the logs.
            logger.LogWarning("Sign-in locks are unavailable: {Reason}", e.Message);
            return null;
        }
    }

    /// <summary>Counts a failure; returns how long the caller is now locked, if this failure reached a limit.</summary>
    public async Task<TimeSpan?> FailedAsync(string user, string address)
    {
        var lockout = options.CurrentValue.Lockout;
        TimeSpan? locked = null;
        foreach (var (kind, value, limit) in new[] { ("user", user, lockout.MaxFailures), ("address", address, lockout.MaxFailuresPerAddress ?? lockout.MaxFailures) })
        {
            try
            {
                var db = redis.GetDatabase();
                var failures = await db.StringIncrementAsync(Key("failures", kind, value));
                if (failures == 1) await db.KeyExpireAsync(Key("failures", kind, value), lockout.Window);
                if (failures < limit) continue;
                await db.StringSetAsync(Key("lock", kind, value), failures, lockout.LockFor);
                await db.KeyDeleteAsync(Key("failures", kind, value));
                locked = lockout.LockFor;
                logger.LogWarning("Password sign-in locked for {Kind} {Value} for {Seconds} s after {Failures} failures",
                    kind, value, lockout.LockFor.TotalSeconds, failures);
            }
            catch (RedisException e)
            {
                logger.LogWarning("Could not count a failed sign-in: {Reason}", e.Message);
            }
        }
        return locked;
    }

    public async Task SucceededAsync(string user)
    {
        try
        {
            await redis.GetDatabase().KeyDeleteAsync(Key("failures", "user", user));
        }
        catch (RedisException e)
        {
            logger.LogWarning("Could not reset failed sign-ins: {Reason}", e.Message);
        }
    }

    // Hashed: a caller-chosen user name never becomes an arbitrary Redis key.
    private static RedisKey Key(string what, string kind, string value) =>
        $"gateway:signin:{what}:{kind}:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))}";
}
