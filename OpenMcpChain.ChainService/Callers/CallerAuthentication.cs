using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace OpenMcpChain.ChainService.Callers;

/// <summary>A caller allowed to use the chain tools, identified by its API key (<c>Callers:{name}:ApiKey</c>).</summary>
public sealed class CallerOptions
{
    public string ApiKey { get; set; } = "";
    /// <summary>May approve or reject parked writes.</summary>
    public bool CanApprove { get; set; }
    /// <summary>May deploy contracts (<c>POST /api/contracts</c>).</summary>
    public bool CanDeploy { get; set; }
    /// <summary>
    /// The caller relays end users (the Gateway's MCP proxy): the user it names in <c>X-Caller</c> is recorded as
    /// <c>{caller}:{user}</c>, so audit records, approvals and per-caller budgets are per user.
    /// </summary>
    public bool RelaysUsers { get; set; }
    /// <summary>The wallets this caller may send from; empty means the default wallet only.</summary>
    public List<string> Wallets { get; set; } = [];

    public bool MayUse(string wallet) => Wallets.Count == 0
        ? string.Equals(wallet, global::OpenMcpChain.ChainService.Wallets.WalletRegistry.DefaultWallet, StringComparison.OrdinalIgnoreCase)
        : Wallets.Contains(wallet, StringComparer.OrdinalIgnoreCase);

    public override string ToString() => $"{nameof(CallerOptions)} {{ ApiKey = *** }}";
}

/// <summary>Who is calling, as established by <see cref="CallerAuthentication"/>, and for which task.</summary>
public sealed class CallerContext
{
    public string Name { get; set; } = "anonymous";
    public string? TaskId { get; set; }
    public bool CanApprove { get; set; }
    public bool CanDeploy { get; set; }
}

/// <summary>Requires an API key on <c>/mcp</c> and <c>/api</c> (<c>Authorization: Bearer</c> or <c>X-Api-Key</c>); health probes stay open.</summary>
public static class CallerAuthentication
{
    public const string TaskIdHeader = "X-Task-Id";
    public const string RelayedUserHeader = "X-Caller";

    public static IApplicationBuilder UseCallerAuthentication(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (!context.Request.Path.StartsWithSegments("/mcp") && !context.Request.Path.StartsWithSegments("/api"))
        {
            await next(context);
            return;
        }
        var presented = context.Request.Headers.Authorization.ToString() is { } auth && auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? auth["Bearer ".Length..].Trim()
            : context.Request.Headers["X-Api-Key"].ToString();
        var callers = context.RequestServices.GetRequiredService<IOptions<Dictionary<string, CallerOptions>>>().Value;
        var (caller, options) = callers.FirstOrDefault(c => c.Value.ApiKey.Length > 0 && FixedTimeEquals(c.Value.ApiKey, presented));
        if (caller is null)
        {
            await ApiErrors.Problem(StatusCodes.Status401Unauthorized, "UNAUTHENTICATED",
                "A caller API key is required (Authorization: Bearer <key> or X-Api-Key).").ExecuteAsync(context);
            return;
        }
        var identity = context.RequestServices.GetRequiredService<CallerContext>();
        identity.Name = options.RelaysUsers && context.Request.Headers[RelayedUserHeader].ToString() is { Length: > 0 and <= 64 } user
            ? $"{caller}:{user}"
            : caller;
        identity.CanApprove = options.CanApprove;
        identity.CanDeploy = options.CanDeploy;
        identity.TaskId = context.Request.Headers[TaskIdHeader].ToString() is { Length: > 0 and <= 64 } task ? task : null;
        await next(context);
    });

    private static bool FixedTimeEquals(string expected, string presented) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(presented));
}
