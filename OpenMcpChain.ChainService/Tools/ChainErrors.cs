using ModelContextProtocol;

namespace OpenMcpChain.ChainService.Tools;

/// <summary>The stable error codes of the chain layer, the same over MCP and REST.</summary>
public static class ChainErrorCodes
{
    public const string InvalidAddress = "INVALID_ADDRESS";
    public const string InvalidArgument = "INVALID_ARGUMENT";
    public const string UnknownNetwork = "UNKNOWN_NETWORK";
    public const string UnknownWallet = "UNKNOWN_WALLET";
    public const string RpcUnavailable = "RPC_UNAVAILABLE";
    /// <summary>ChainService's own database or Redis did not answer (a restart): the request may be repeated, a write with the same idempotency key.</summary>
    public const string ServiceUnavailable = "SERVICE_UNAVAILABLE";
    public const string NotFound = "NOT_FOUND";
    public const string InsufficientFunds = "INSUFFICIENT_FUNDS";
    public const string ExecutionReverted = "EXECUTION_REVERTED";
    public const string CallReturnedNothing = "CALL_RETURNED_NOTHING";
    public const string NonceConflict = "NONCE_CONFLICT";
    public const string ApprovalRequired = "APPROVAL_REQUIRED";
    public const string ApprovalNotFound = "APPROVAL_NOT_FOUND";
    public const string ApprovalAlreadyDecided = "APPROVAL_ALREADY_DECIDED";
    public const string IdempotencyKeyReused = "IDEMPOTENCY_KEY_REUSED";
    public const string PolicyValueCap = "POLICY_VALUE_CAP";
    public const string PolicyTokenCap = "POLICY_TOKEN_CAP";
    public const string PolicyGasCap = "POLICY_GAS_CAP";
    public const string PolicyContractNotAllowed = "POLICY_CONTRACT_NOT_ALLOWED";
    public const string PolicyMethodNotAllowed = "POLICY_METHOD_NOT_ALLOWED";
    public const string PolicyBudgetExceeded = "POLICY_BUDGET_EXCEEDED";
    public const string PolicyWritesDisabled = "POLICY_WRITES_DISABLED";
    public const string PolicyWalletNotAllowed = "POLICY_WALLET_NOT_ALLOWED";
    public const string PolicyDeployNotAllowed = "POLICY_DEPLOY_NOT_ALLOWED";
}

/// <summary>A failure the caller can act on. Over MCP it is an error result whose text starts with the code; over REST a 4xx.</summary>
public sealed class ChainToolException(string code, string message, object? details = null) : McpException($"{code}: {message}")
{
    public string Code { get; } = code;
    public string Detail { get; } = message;
    /// <summary>Extra facts for the caller (e.g. the approval id), serialised beside code and message.</summary>
    public object? Details { get; } = details;

    public int HttpStatus => Code switch
    {
        ChainErrorCodes.RpcUnavailable or ChainErrorCodes.ServiceUnavailable => StatusCodes.Status503ServiceUnavailable,
        ChainErrorCodes.NotFound or ChainErrorCodes.ApprovalNotFound => StatusCodes.Status404NotFound,
        ChainErrorCodes.NonceConflict or ChainErrorCodes.ApprovalRequired or ChainErrorCodes.ApprovalAlreadyDecided or ChainErrorCodes.IdempotencyKeyReused => StatusCodes.Status409Conflict,
        _ when Code.StartsWith("POLICY_", StringComparison.Ordinal) => StatusCodes.Status403Forbidden,
        _ => StatusCodes.Status400BadRequest,
    };
}
