namespace OpenMcpChain.Sdk.Contracts;

/// <summary>The body of every 4xx/5xx answer: a stable <see cref="Code"/> and a human <see cref="Message"/>.</summary>
public sealed record ApiError(string Code, string Message);

/// <summary>The answer of <c>POST /api/v1/auth/token</c> (and of the OAuth token endpoint).</summary>
public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn, string Scope, string? RefreshToken = null);

/// <summary>The stable error codes a caller can meet.</summary>
public static class ErrorCodes
{
    public const string InvalidArgument = "INVALID_ARGUMENT";
    // The original daemon's codes for the filters of GET /api/v1/tasks (and /stats), and for a task without a goal.
    public const string InvalidLimit = "INVALID_LIMIT";
    public const string InvalidOffset = "INVALID_OFFSET";
    public const string InvalidStatus = "INVALID_STATUS";
    public const string InvalidSince = "INVALID_SINCE";
    public const string InvalidUntil = "INVALID_UNTIL";
    public const string InvalidHasResult = "INVALID_HAS_RESULT";
    public const string InvalidOrder = "INVALID_ORDER";
    public const string TaskValidationFailed = "TASK_VALIDATION_FAILED";
    public const string TaskNotFound = "TASK_NOT_FOUND";
    public const string NotFound = "NOT_FOUND";
    public const string MethodNotAllowed = "METHOD_NOT_ALLOWED";
    public const string UnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE";
    public const string Unavailable = "UNAVAILABLE";
    public const string Internal = "INTERNAL";
    public const string LlmUnavailable = "LLM_UNAVAILABLE";
    public const string ToolFailed = "TOOL_FAILED";
    public const string AttestationFailed = "ATTESTATION_FAILED";
    public const string AttestationNotFound = "ATTESTATION_NOT_FOUND";
    public const string AttestationConflict = "ATTESTATION_CONFLICT";
    public const string LogEntryNotFound = "LOG_ENTRY_NOT_FOUND";
    public const string LogIndexOutOfRange = "LOG_INDEX_OUT_OF_RANGE";
    public const string NetworkNotConfigured = "NETWORK_NOT_CONFIGURED";
    public const string TaskAlreadyFinished = "TASK_ALREADY_FINISHED";
    public const string Unauthenticated = "UNAUTHENTICATED";
    public const string InvalidCredentials = "INVALID_CREDENTIALS";
    // The token endpoint's OAuth errors (the original daemon's UNSUPPORTED_GRANT among them).
    public const string UnsupportedGrant = "UNSUPPORTED_GRANT";
    public const string InvalidGrant = "INVALID_GRANT";
    public const string InvalidClient = "INVALID_CLIENT";
    public const string InvalidScope = "INVALID_SCOPE";
    public const string UnauthorizedClient = "UNAUTHORIZED_CLIENT";
    public const string Forbidden = "FORBIDDEN";
    public const string RateLimited = "RATE_LIMITED";
    public const string ProfileNotFound = "PROFILE_NOT_FOUND";
    public const string TaskCancelled = "TASK_CANCELLED";
    public const string ApprovalRejected = "APPROVAL_REJECTED";
    public const string MaxStepsExceeded = "MAX_STEPS_EXCEEDED";
    /// <summary>413: the body is over the route's documented size limit (the message names it).</summary>
    public const string PayloadTooLarge = "PAYLOAD_TOO_LARGE";
    /// <summary>414: the path and query are over the documented URL limit.</summary>
    public const string UriTooLong = "URI_TOO_LONG";
    /// <summary>431: the request headers are over the documented limits (total size, count).</summary>
    public const string HeadersTooLarge = "HEADERS_TOO_LARGE";
    public const string RequestTimeout = "REQUEST_TIMEOUT";
    /// <summary>Any other 4xx the server itself answers.</summary>
    public const string RequestRejected = "REQUEST_REJECTED";
}
