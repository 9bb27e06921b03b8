using System.Text.Json;

namespace OpenMcpChain.Sdk.Contracts;

/// <summary>
/// What a chain tool answers when it fails: over MCP the <c>structuredContent</c> of an error result (<c>isError</c>),
/// over REST the problem body. Consumers read these fields; the message is for people and may be reworded.
/// </summary>
public sealed record ChainToolError(string Code, string Message)
{
    /// <summary>For a write: the policy gate's decision (<see cref="PolicyDecisions"/>), or null when the write never reached it.</summary>
    public string? PolicyDecision { get; init; }

    /// <summary>The approval request a parked write waits for (<see cref="ChainErrorCodes.ApprovalRequired"/>).</summary>
    public string? ApprovalId { get; init; }

    /// <summary>A transaction the failure concerns (signed and stored but not yet answered for, for instance).</summary>
    public string? TxHash { get; init; }

    /// <summary>The argument at fault, as the tool's schema names it, for argument errors.</summary>
    public string? Field { get; init; }

    /// <summary>A simulation's decoded revert reason (<see cref="ChainErrorCodes.ExecutionReverted"/>).</summary>
    public string? Reason { get; init; }

    /// <summary>Reads an error from a tool result's structured content, or null when it holds none.</summary>
    public static ChainToolError? From(JsonElement? structured) =>
        structured is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String
            ? e.Deserialize<ChainToolError>(OpenMcpChainJson.Options)
            : null;
}

/// <summary>The outcome of a write that passed the gate: where the transaction is and what it cost.</summary>
public sealed record WriteResult(
    string Network, string TxHash, string Status, string From, string To, string ValueWei, long Nonce,
    long? BlockNumber, long? GasUsed, string IdempotencyKey)
{
    /// <summary>For a contract creation: the address the contract is (or will be) at.</summary>
    public string? ContractAddress { get; init; }

    /// <summary>Always <see cref="PolicyDecisions.Allowed"/>: a write that has a transaction passed the gate.</summary>
    public string PolicyDecision { get; init; } = PolicyDecisions.Allowed;
}

/// <summary>The policy gate's decision on a write, as every record of it (tool calls, task steps, the log) spells it.</summary>
public static class PolicyDecisions
{
    public const string Allowed = "allowed";

    /// <summary>
    /// The decision a tool result's structured content carries — a write's result or error — or null (a read, or a write
    /// that never reached the gate). ChainService's write path sets it; readers take it from here.
    /// </summary>
    public static string? From(JsonElement? structured) =>
        structured is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty("policy_decision", out var d) && d.ValueKind == JsonValueKind.String
            ? d.GetString()
            : null;

    /// <summary>True when the gate refused the write outright (nothing was sent or parked).</summary>
    public static bool IsRefusal(string? decision) => decision?.StartsWith("POLICY_", StringComparison.Ordinal) == true;
}

/// <summary>The stable error codes of the chain layer, the same over MCP and REST.</summary>
public static class ChainErrorCodes
{
    public const string InvalidAddress = "INVALID_ADDRESS";
    public const string InvalidArgument = "INVALID_ARGUMENT";
    public const string UnknownNetwork = "UNKNOWN_NETWORK";
    public const string UnknownWallet = "UNKNOWN_WALLET";
    public const string RpcUnavailable = "RPC_UNAVAILABLE";
    /// <summary>ChainService's own database or Redis did not answer (a restart): repeat the request, a write with the same idempotency key.</summary>
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

/// <summary>An approval request as ChainService reports it (<c>GET /api/approvals/{id}</c>).</summary>
public sealed record ApprovalResponse(string Id, string Status)
{
    public string? Network { get; init; }
    public string? Wallet { get; init; }
    public string? Kind { get; init; }
    public string? To { get; init; }
    public string? Value { get; init; }
    /// <summary>What the write does, in one line for the person deciding it.</summary>
    public string? Summary { get; init; }
    public string? Caller { get; init; }
    public string? TaskId { get; init; }
    public string? DecidedBy { get; init; }
    public string? Reason { get; init; }
    /// <summary>The transaction the approved write sent, once sent.</summary>
    public string? TxHash { get; init; }
    /// <summary>Why an approved write could not be sent: its stable code (and <see cref="ErrorMessage"/>); null otherwise.</summary>
    public string? ErrorCode { get; init; }
    public string? ErrorMessage { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? DecidedAt { get; init; }
}

/// <summary>The statuses of an approval request.</summary>
public static class ApprovalStatuses
{
    public const string Pending = "pending";
    public const string Approved = "approved";
    public const string Rejected = "rejected";
    public const string Withdrawn = "withdrawn";
}
