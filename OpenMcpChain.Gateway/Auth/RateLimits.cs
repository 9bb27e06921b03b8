using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using OpenMcpChain.Gateway.Grpc;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Gateway.Auth;

/// <summary>Requests per minute per signed-in caller (its own limit or <c>Auth:RequestsPerMinute</c>), else per address (a gRPC caller's own).</summary>
public static class RateLimits
{
    public static void AddCallerRateLimits(this IServiceCollection services) => services.AddRateLimiter(limiter =>
    {
        limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        limiter.OnRejected = async (context, ct) =>
        {
            context.HttpContext.Response.Headers.RetryAfter = "60";
            await ApiErrors.Problem(429, ErrorCodes.RateLimited, "Too many requests; try again in a minute.").ExecuteAsync(context.HttpContext);
        };
        limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
        {
            if (!context.Request.Path.StartsWithSegments("/api") && !context.Request.Path.StartsWithSegments("/connect"))
                return RateLimitPartition.GetNoLimiter("probes");
            var auth = context.RequestServices.GetRequiredService<IOptionsMonitor<AuthOptions>>().CurrentValue;
            var user = context.User.Identity?.IsAuthenticated == true ? context.User.Identity.Name : null;
            var permits = user is not null && auth.Users.TryGetValue(user, out var u) && u.RequestsPerMinute is { } own ? own : auth.RequestsPerMinute;
            // A gRPC call reaches REST from loopback (RestBridge), naming its caller's address.
            var address = RestBridge.CallerAddress(context) ?? context.Connection.RemoteIpAddress;
            return RateLimitPartition.GetFixedWindowLimiter(user is null ? $"ip:{address}" : $"user:{user}",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
        });
    });
}
