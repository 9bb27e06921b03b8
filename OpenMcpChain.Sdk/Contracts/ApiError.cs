namespace OpenMcpChain.Sdk.Contracts;

/// <summary>The body of every 4xx/5xx answer: a stable <see cref="Code"/> and a human <see cref="Message"/>.</summary>
public sealed record ApiError(string Code, string Message);

/// <summary>The answer of <c>POST /api/v1/auth/token</c> (and of the OAuth token endpoint).</summary>
public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn, string Scope, string? RefreshToken = null);

/// <summary>The stable error codes a caller can meet.</summary>
public static class ErrorCodes
{
    public const string InvalidArgument = "INVALID_ARGUMENT";
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
    public const string PayloadTooLarge = "PAYLOAD_TOO_LARGE";
    public const string Forbidden = "FORBIDDEN";
    public const string RateLimited = "RATE_LIMITED";
    public const string ProfileNotFound = "PROFILE_NOT_FOUND";
    public const string TaskCancelled = "TASK_CANCELLED";
    public const string ApprovalRejected = "APPROVAL_REJECTED";
    public const string MaxStepsExceeded = "MAX_STEPS_EXCEEDED";
}
