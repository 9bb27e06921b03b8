using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using OpenMcpChain.Sdk.Contracts;

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
    /// <summary>The end user a relaying caller (the Gateway) names in <c>X-Caller</c>; null for a direct caller.</summary>
    public string? RelayedUser { get; set; }
    public string? TaskId { get; set; }
    /// <summary>Who the writes are made for: the relayed user, or the task's submitter (<c>X-Task-Submitter</c> or the MCP call's <c>_meta</c>).</summary>
    public string? RequestedBy { get; set; }
    /// <summary>The goal of the task the writes belong to (<c>X-Task-Goal</c> or the MCP call's <c>_meta</c>), shown on the approvals they park.</summary>
    public string? Goal { get; set; }
    public bool CanApprove { get; set; }
    public bool CanDeploy { get; set; }
    /// <summary>The caller relays end users (<see cref="CallerOptions.RelaysUsers"/>): what it says of a task is not taken.</summary>
    public bool RelaysUsers { get; set; }

    /// <summary>The person a decision is recorded for: the signed-in user behind the Gateway, else the caller itself.</summary>
    public string Decider => RelayedUser ?? Name;
}

/// <summary>Requires an API key on <c>/mcp</c> and <c>/api</c> (<c>Authorization: Bearer</c> or <c>X-Api-Key</c>); health probes stay open.</summary>
public static class CallerAuthentication
{
    public const string TaskIdHeader = "X-Task-Id";
    public const string RelayedUserHeader = "X-Caller";
    public const string TaskSubmitterHeader = "X-Task-Submitter";
    public const string TaskGoalHeader = "X-Task-Goal";
    private const int MaxNameLength = 64;
    private const int MaxGoalLength = 4000;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

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
        var headers = context.Request.Headers;
        identity.RelayedUser = options.RelaysUsers ? Bounded(headers[RelayedUserHeader].ToString(), MaxNameLength) : null;
        identity.Name = identity.RelayedUser is null ? caller : $"{caller}:{identity.RelayedUser}";
        identity.CanApprove = options.CanApprove;
        identity.CanDeploy = options.CanDeploy;
        identity.RelaysUsers = options.RelaysUsers;
        identity.TaskId = Bounded(headers[TaskIdHeader].ToString(), MaxNameLength);
        // A relayed user asks for itself; a direct caller (the agent) names the task's submitter.
        identity.RequestedBy = identity.RelayedUser
            ?? (options.RelaysUsers ? null : Bounded(headers[TaskSubmitterHeader].ToString(), MaxNameLength));
        identity.Goal = options.RelaysUsers ? null : DecodeGoal(headers[TaskGoalHeader].ToString());
        await next(context);
    });

    /// <summary>
    /// An MCP tool call's task, from its <c>_meta</c> (<see cref="ChainToolMeta"/>): how the agent names the task of each
    /// call on the one session its process keeps. Taken from a direct caller only, as the headers are, and only where the
    /// request's headers named none.
    /// </summary>
    public static McpRequestHandler<CallToolRequestParams, CallToolResult> TaskFromMeta(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        (request, ct) =>
        {
            if (request.Params?.Meta is { } meta && request.Services?.GetService<CallerContext>() is { RelaysUsers: false } identity)
            {
                identity.TaskId ??= Bounded(Text(meta, ChainToolMeta.TaskId), MaxNameLength);
                identity.RequestedBy ??= Bounded(Text(meta, ChainToolMeta.TaskSubmitter), MaxNameLength);
                identity.Goal ??= Bounded(Text(meta, ChainToolMeta.TaskGoal), MaxGoalLength);
            }
            return next(request, ct);
        };

    /// <summary>A caller's name, task or goal as given, or null when it is empty or longer than it may be.</summary>
    private static string? Bounded(string? value, int max) => value is { Length: > 0 } && value.Length <= max ? value : null;

    private static string? Text(System.Text.Json.Nodes.JsonObject meta, string key) =>
        meta[key] is System.Text.Json.Nodes.JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    /// <summary>The goal from its base64url UTF-8 form; null when absent, malformed, or longer than a task's goal may be.</summary>
    private static string? DecodeGoal(string encoded)
    {
        if (encoded.Length == 0 || encoded.Length > MaxGoalLength * 6) return null;
        try
        {
            var goal = StrictUtf8.GetString(Base64Url.DecodeFromChars(encoded));
            return Bounded(goal, MaxGoalLength);
        }
        catch (Exception e) when (e is FormatException or DecoderFallbackException)
        {
            return null;
        }
    }

    private static bool FixedTimeEquals(string expected, string presented) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(presented));
}
