using Microsoft.AspNetCore.Authorization;

namespace OpenMcpChain.Gateway.Auth;

/// <summary>The public edge's security: the authorization server, scope policies, sign-in lockout and rate limits.</summary>
public static class GatewayAuth
{
    /// <summary>Tells the services behind the Gateway who asked (the token's subject); a caller's own header never passes.</summary>
    public const string CallerHeader = "X-Caller";

    public static void AddGatewayAuth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.SectionName)
            .Validate(o => o.SigningKey.Length >= 16, "Auth:SigningKey must be a secret of at least 16 characters.")
            .Validate(o => o.Lockout.MaxFailures >= 1 && o.Lockout.MaxFailuresPerAddress is null or >= 1 && o.Lockout.LockFor > TimeSpan.Zero,
                "Auth:Lockout needs MaxFailures (and MaxFailuresPerAddress) of at least 1 and a positive LockFor.")
            .ValidateOnStart();
        builder.AddRedisClient("redis", configureOptions: o => o.AbortOnConnectFail = false);
        builder.AddAuthorizationServer();
        builder.Services.AddSingleton<SignInThrottle>();
        builder.Services.AddSingleton<PasswordSignIn>();
        builder.Services.AddScopePolicies();
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, BearerChallenge>();
        builder.Services.AddCallerRateLimits();
        builder.Services.AddHostedService<AuthSwitch>();
    }

    /// <summary>The request pipeline's security, in order: token requests checked, callers authenticated, limited, authorized.</summary>
    public static void UseGatewayAuth(this WebApplication app)
    {
        app.UseTokenRequestGuard();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
    }
}
