using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Gateway.Auth;

/// <summary>Who may call the public API (<c>Auth:*</c>): users, their scopes and request rates, and the token signing key.</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";
    public const string Issuer = "openmcp-chain-gateway";
    public const string Audience = "openmcp-chain";

    /// <summary>When false, the task routes are open to anonymous callers (a local demo); tokens are still issued.</summary>
    public bool Required { get; set; } = true;
    /// <summary>The HMAC key tokens are signed with (a secret parameter).</summary>
    public string SigningKey { get; set; } = "";
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);
    /// <summary>Requests per minute for a user without its own limit, and for anonymous callers per address.</summary>
    public int RequestsPerMinute { get; set; } = 1200;
    public Dictionary<string, GatewayUser> Users { get; set; } = new(StringComparer.Ordinal);

    public override string ToString() => $"{nameof(AuthOptions)} {{ Users = {string.Join(", ", Users.Keys)}, SigningKey = *** }}";
}

/// <summary>A user: a password (a secret parameter) or its PBKDF2 hash, the scopes it may ask for, and its request rate.</summary>
public sealed class GatewayUser
{
    public string? Password { get; set; }
    /// <summary><c>pbkdf2-sha256$iterations$salt-base64$hash-base64</c>.</summary>
    public string? PasswordHash { get; set; }
    /// <summary>The scopes it may ask for; none listed means read and write. (Empty by default: configuration binding appends to a list.)</summary>
    public List<string> Scopes { get; set; } = [];
    public IReadOnlyList<string> Granted => Scopes.Count == 0 ? [ScopeNames.TasksRead, ScopeNames.TasksWrite] : Scopes;
    public int? RequestsPerMinute { get; set; }

    public bool Verify(string password)
    {
        if (!string.IsNullOrEmpty(PasswordHash))
        {
            var parts = PasswordHash.Split('$');
            if (parts is not ["pbkdf2-sha256", var iterations, var salt, var hash] || !int.TryParse(iterations, out var rounds)) return false;
            try
            {
                var expected = Convert.FromBase64String(hash);
                var actual = Rfc2898DeriveBytes.Pbkdf2(password, Convert.FromBase64String(salt), rounds, HashAlgorithmName.SHA256, expected.Length);
                return CryptographicOperations.FixedTimeEquals(expected, actual);
            }
            catch (FormatException)
            {
                return false; // a malformed hash in configuration lets nobody in
            }
        }
        return !string.IsNullOrEmpty(Password)
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(Password), Encoding.UTF8.GetBytes(password));
    }

    public override string ToString() => $"{nameof(GatewayUser)} {{ Scopes = {string.Join(" ", Granted)}, secrets = *** }}";
}

public static class ScopeNames
{
    public const string TasksRead = "tasks:read";
    public const string TasksWrite = "tasks:write";
    /// <summary>The chain tools over MCP at <c>/mcp</c> (never granted by default).</summary>
    public const string ChainTools = "chain:tools";
}

/// <summary>Bearer tokens (JWT, HS256), scope policies, per-caller rate limits, and the coded 401/403/429 answers.</summary>
public static class GatewayAuth
{
    public const string CallerHeader = "X-Caller";

    public static SymmetricSecurityKey SigningKey(AuthOptions options) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes(options.SigningKey))) { KeyId = "gateway" };

    public static void AddGatewayAuth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.SectionName)
            .Validate(o => o.SigningKey.Length >= 16, "Auth:SigningKey must be a secret of at least 16 characters.")
            .ValidateOnStart();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<IOptions<AuthOptions>>((jwt, auth) =>
        {
            jwt.MapInboundClaims = false;
            jwt.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = AuthOptions.Issuer, ValidAudience = AuthOptions.Audience, IssuerSigningKey = SigningKey(auth.Value),
                NameClaimType = "sub", ClockSkew = TimeSpan.FromSeconds(30),
            };
            jwt.Events = new JwtBearerEvents
            {
                OnChallenge = async context =>
                {
                    context.HandleResponse();
                    await ApiErrors.Problem(401, "UNAUTHENTICATED",
                        context.AuthenticateFailure is null
                            ? "A bearer token is required: POST /api/v1/auth/token, then Authorization: Bearer <access_token>."
                            : "The bearer token is invalid or expired; get a new one at /api/v1/auth/token.").ExecuteAsync(context.HttpContext);
                },
                OnForbidden = context => ApiErrors.Problem(403, "FORBIDDEN",
                    "The token's scope does not allow this request.").ExecuteAsync(context.HttpContext),
            };
        });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(ScopeNames.TasksRead, p => p.AddRequirements(new ScopeRequirement(ScopeNames.TasksRead)))
            .AddPolicy(ScopeNames.TasksWrite, p => p.AddRequirements(new ScopeRequirement(ScopeNames.TasksWrite)))
            .AddPolicy(ScopeNames.ChainTools, p => p.RequireAuthenticatedUser().AddRequirements(new ScopeRequirement(ScopeNames.ChainTools)));
        builder.Services.AddSingleton<IAuthorizationHandler, ScopeHandler>();

        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = async (context, ct) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "60";
                await ApiErrors.Problem(429, "RATE_LIMITED", "Too many requests; try again in a minute.").ExecuteAsync(context.HttpContext);
            };
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                if (!context.Request.Path.StartsWithSegments("/api")) return RateLimitPartition.GetNoLimiter("probes");
                var auth = context.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value;
                var user = context.User.Identity?.IsAuthenticated == true ? context.User.Identity.Name : null;
                var permits = user is not null && auth.Users.TryGetValue(user, out var u) && u.RequestsPerMinute is { } own ? own : auth.RequestsPerMinute;
                return RateLimitPartition.GetFixedWindowLimiter(user is null ? $"ip:{context.Connection.RemoteIpAddress}" : $"user:{user}",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
            });
        });
    }

    /// <summary>Issues a token for a user whose password checks out, with the scopes asked for (all of its own by default).</summary>
    public static (string Token, string Scope, int ExpiresIn)? Issue(AuthOptions options, string username, string password, string? scope)
    {
        if (!options.Users.TryGetValue(username, out var user) || !user.Verify(password)) return null;
        var asked = string.IsNullOrWhiteSpace(scope) ? user.Granted : [.. scope.Split(' ', StringSplitOptions.RemoveEmptyEntries)];
        var granted = asked.Where(user.Granted.Contains).Distinct().ToList();
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = AuthOptions.Issuer,
            Audience = AuthOptions.Audience,
            Subject = new ClaimsIdentity([new Claim("sub", username), new Claim("scope", string.Join(' ', granted))]),
            Expires = DateTime.UtcNow + options.TokenLifetime,
            SigningCredentials = new SigningCredentials(SigningKey(options), SecurityAlgorithms.HmacSha256),
        });
        return (token, string.Join(' ', granted), (int)options.TokenLifetime.TotalSeconds);
    }

    private sealed record ScopeRequirement(string Scope) : IAuthorizationRequirement;

    /// <summary>The token's space-separated <c>scope</c> claim must hold the scope; with <c>Auth:Required=false</c> anyone passes.</summary>
    private sealed class ScopeHandler(IOptionsMonitor<AuthOptions> options) : AuthorizationHandler<ScopeRequirement>
    {
        protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
        {
            if (!options.CurrentValue.Required
                || context.User.FindFirst("scope")?.Value.Split(' ').Contains(requirement.Scope) == true)
                context.Succeed(requirement);
            return Task.CompletedTask;
        }
    }
}
