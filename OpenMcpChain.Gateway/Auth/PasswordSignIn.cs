using System.Net;
using Microsoft.Extensions.Options;

namespace OpenMcpChain.Gateway.Auth;

/// <summary>Checks a user's password for the token endpoint and the sign-in page alike, under the same lockout.</summary>
public sealed class PasswordSignIn(IOptionsMonitor<AuthOptions> options, SignInThrottle throttle, ILogger<PasswordSignIn> logger)
{
    /// <summary>The outcome: the user when the password is right, else whether (and how long) the caller must wait.</summary>
    public sealed record Outcome(string? User, GatewayUser? Account, TimeSpan? RetryAfter)
    {
        public int RetryAfterSeconds => (int)Math.Ceiling(RetryAfter?.TotalSeconds ?? 0);
    }

    public async Task<Outcome> CheckAsync(string username, string password, IPAddress? address)
    {
        var from = address?.ToString() ?? "unknown";
        if (await throttle.LockedForAsync(username, from) is { } wait)
        {
            logger.LogWarning("Refused a sign-in for {User} from {Address}: locked for {Seconds:0} s more", username, from, wait.TotalSeconds);
            return new(null, null, wait);
        }
        if (options.CurrentValue.Users.TryGetValue(username, out var user) && user.Verify(password))
        {
            await throttle.SucceededAsync(username);
            return new(username, user, null);
        }
        logger.LogWarning("Refused a sign-in for {User} from {Address}: wrong user name or password", username, from);
        await throttle.FailedAsync(username, from);
        return new(null, null, null);
    }
}
