using OpenMcpChain.Sdk.Contracts;

namespace Microsoft.Extensions.Hosting;

/// <summary>What each stable error code means, as the API reference explains it beside the routes that answer it.</summary>
public static class ErrorCodeDocs
{
    private static readonly Dictionary<string, string> Meanings = new(StringComparer.Ordinal)
    {
        [ErrorCodes.InvalidArgument] = "a parameter or the body is missing or malformed (the message names it)",
        [ErrorCodes.InvalidLimit] = "limit is not a positive integer (over 100 is capped at 100)",
        [ErrorCodes.InvalidOffset] = "offset is not a non-negative integer",
        [ErrorCodes.InvalidStatus] = "status names an unknown task status",
        [ErrorCodes.InvalidSince] = "since is not an RFC 3339 time",
        [ErrorCodes.InvalidUntil] = "until is not an RFC 3339 time, or is earlier than since",
        [ErrorCodes.InvalidHasResult] = "has_result is not a boolean (true, false, 1, 0, t, f)",
        [ErrorCodes.InvalidOrder] = "order is not asc or desc",
        [ErrorCodes.TaskValidationFailed] = "the task has no goal",
        [ErrorCodes.TaskNotFound] = "no task has this id",
        [ErrorCodes.ProfileNotFound] = "no agent profile has this name",
        [ErrorCodes.TaskAlreadyFinished] = "the task already ended and cannot be cancelled",
        [ChainErrorCodes.IdempotencyKeyReused] = "this Idempotency-Key was used for a different request",
        [ErrorCodes.NotFound] = "nothing is at this address",
        [ErrorCodes.AttestationNotFound] = "the task has no attestation (it has not finished, or does not exist)",
        [ErrorCodes.LogEntryNotFound] = "the log has no such entry (or the task has no entries yet)",
        [ErrorCodes.LogIndexOutOfRange] = "the index or tree sizes lie outside the current log",
        [ErrorCodes.NetworkNotConfigured] = "the anchor's network is not configured here; verify offline with the SDK",
        [ErrorCodes.Unauthenticated] = "a bearer token is required, or the one sent is invalid, expired or revoked (see WWW-Authenticate)",
        [ErrorCodes.Forbidden] = "the token's scope does not allow this request",
        [ErrorCodes.InvalidCredentials] = "the username or password is wrong",
        [ErrorCodes.UnsupportedGrant] = "the grant_type is not supported",
        [ErrorCodes.InvalidGrant] = "the code, refresh token or credentials are invalid, expired or revoked",
        [ErrorCodes.InvalidClient] = "the client is unknown or its secret is wrong",
        [ErrorCodes.InvalidScope] = "a scope asked for is unknown or not allowed to this client",
        [ErrorCodes.UnauthorizedClient] = "the client may not use this grant",
        [ErrorCodes.RateLimited] = "too many requests (or failed sign-ins); retry after the Retry-After header's seconds",
        [ErrorCodes.PayloadTooLarge] = "the body is over this route's size limit",
        [ErrorCodes.Unavailable] = "the service behind the route (or the chain) did not answer; try again shortly",
        [ChainErrorCodes.ApprovalNotFound] = "no approval request has this id",
        [ChainErrorCodes.ApprovalAlreadyDecided] = "the request was already approved or rejected",
        [ChainErrorCodes.ApprovalWithdrawn] = "the request was withdrawn (its task was cancelled)",
        [ChainErrorCodes.ApprovalExpired] = "the request expired undecided",
        [ChainErrorCodes.SelfApprovalForbidden] = "the configuration forbids approving a write one asked for oneself",
        [ChainErrorCodes.ApproverRequired] = "the caller may not decide approval requests",
    };

    /// <summary>An error answer's description in the API reference: each of <paramref name="codes"/> with its meaning.</summary>
    public static string Describe(IEnumerable<string> codes) => string.Join("; ", codes.Select(c => $"`{c}`: {Describe(c)}"));

    /// <summary>The meaning of <paramref name="code"/>; a code without one is described by its name.</summary>
    public static string Describe(string code) =>
        Meanings.TryGetValue(code, out var meaning) ? meaning : code.Replace('_', ' ').ToLowerInvariant();
}
