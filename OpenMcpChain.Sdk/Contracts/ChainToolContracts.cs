using System.Globalization;
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

/// <summary>
/// The task an MCP tool call works for, in the call's <c>_meta</c>: the agent keeps one MCP session per process and names
/// each call's task, its submitter and goal there (REST callers send the same as <c>X-Task-*</c> headers). ChainService
/// takes them from a direct caller only, never from one that relays end users.
/// </summary>
public static class ChainToolMeta
{
    public const string TaskId = "openmcpchain/task_id";
    public const string TaskSubmitter = "openmcpchain/task_submitter";
    public const string TaskGoal = "openmcpchain/task_goal";
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
    /// <summary>The network asks for more than the policy's fee cap (<c>Policy:MaxFeePerGas</c>): the write is stored and re-sent when fees fall.</summary>
    public const string FeeCapReached = "FEE_CAP_REACHED";
    public const string ApprovalRequired = "APPROVAL_REQUIRED";
    public const string ApprovalNotFound = "APPROVAL_NOT_FOUND";
    public const string ApprovalAlreadyDecided = "APPROVAL_ALREADY_DECIDED";
    /// <summary>409: the request was withdrawn (its task was cancelled) and can no longer be decided.</summary>
    public const string ApprovalWithdrawn = "APPROVAL_WITHDRAWN";
    /// <summary>409 on a decision, and the code of a task whose approval request expired undecided.</summary>
    public const string ApprovalExpired = "APPROVAL_EXPIRED";
    /// <summary>409: the configuration forbids approving a write one asked for oneself (<c>Approvals:AllowSelfApproval=false</c>).</summary>
    public const string SelfApprovalForbidden = "SELF_APPROVAL_FORBIDDEN";
    /// <summary>403: the caller may not decide approval requests.</summary>
    public const string ApproverRequired = "APPROVER_REQUIRED";
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

/// <summary>
/// An approval request: a write the policy gate parked for a person to judge (<c>GET /api/v1/approvals/{id}</c>). It
/// carries everything the decision needs — the network, wallet, recipient, value in ether and wei, the token and amount of
/// an ERC-20 call, the decoded method and arguments, the simulation, the task and its goal, who asked, when it expires —
/// and, once decided, who decided, why, and the decision's entry in the transparency log.
/// </summary>
public sealed record ApprovalResponse(string Id, string Status)
{
    public string? Network { get; init; }
    public long? ChainId { get; init; }
    /// <summary>The wallet's name (<c>default</c>, …) and the address it sends from.</summary>
    public string? Wallet { get; init; }
    public string? From { get; init; }
    /// <summary><c>native</c>, <c>erc20</c>, <c>contract</c> or <c>deploy</c>.</summary>
    public string? Kind { get; init; }
    /// <summary>The recipient: the receiving address of a native or ERC-20 transfer, the contract of a call.</summary>
    public string? To { get; init; }
    /// <summary>The native value sent, in wei (a decimal string) and in ether (a decimal string, exact).</summary>
    public string? Value { get; init; }
    public string? ValueEther { get; init; }
    /// <summary>For an ERC-20 transfer: the token and the amount in its smallest unit and in whole tokens.</summary>
    public ApprovalToken? Token { get; init; }
    /// <summary>For a contract call: the method and its decoded arguments.</summary>
    public ApprovalMethod? Method { get; init; }
    /// <summary>The simulation run before the write was parked (an <c>eth_call</c> and gas estimate).</summary>
    public ApprovalSimulation? Simulation { get; init; }
    /// <summary>What the write does, in one line for the person deciding it.</summary>
    public string? Summary { get; init; }
    /// <summary>The service caller that made the write (<c>agentservice</c>, <c>gateway:alice</c>, …).</summary>
    public string? Caller { get; init; }
    /// <summary>The person (or client) the write was made for: the task's submitter, or the relayed MCP user.</summary>
    public string? RequestedBy { get; init; }
    public string? TaskId { get; init; }
    /// <summary>The goal of the task that made the write, as its submitter wrote it.</summary>
    public string? Goal { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>After this a pending request is <c>expired</c> and its task ends <c>rejected</c> with APPROVAL_EXPIRED.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
    /// <summary>The signed-in person who approved or rejected it (<c>system</c> for an expiry, the caller for a withdrawal).</summary>
    public string? DecidedBy { get; init; }
    public DateTimeOffset? DecidedAt { get; init; }
    public string? Reason { get; init; }
    /// <summary>The decision's own entry in the transparency log, once appended (the task's attestation commits to it).</summary>
    public long? DecisionLogIndex { get; init; }
    /// <summary>The transaction the approved write sent, once sent.</summary>
    public string? TxHash { get; init; }
    /// <summary>Why an approved write could not be sent: its stable code (and <see cref="ErrorMessage"/>); null otherwise.</summary>
    public string? ErrorCode { get; init; }
    public string? ErrorMessage { get; init; }
}

/// <summary>The ERC-20 side of an approval: the token contract, its symbol and decimals when it answers them, and the amount.</summary>
public sealed record ApprovalToken(string Address, string Amount)
{
    public string? Symbol { get; init; }
    public int? Decimals { get; init; }
    /// <summary>The amount in whole tokens (exact decimal string), when the decimals are known.</summary>
    public string? AmountFormatted { get; init; }
}

/// <summary>A decoded contract call: <c>transfer(address,uint256)</c> and its arguments in order, as strings.</summary>
public sealed record ApprovalMethod(string Signature, IReadOnlyList<ApprovalArgument> Arguments)
{
    public string? Selector { get; init; }
}

public sealed record ApprovalArgument(string Type, string Value)
{
    public string? Name { get; init; }
}

/// <summary>What the simulation said: gas it would use and its outcome (<c>success</c>; a revert never parks).</summary>
public sealed record ApprovalSimulation(long Gas, string Outcome);

/// <summary>A page of approval requests, newest first, filtered and paged like the task list.</summary>
public sealed record ApprovalListResponse(List<ApprovalResponse> Approvals, int Total, bool HasMore, int? NextOffset);

/// <summary>The filters of <c>GET /api/v1/approvals</c>; null members are left out.</summary>
public sealed record ApprovalFilter(
    string? Status = null, string? TaskId = null, string? RequestedBy = null, string? Caller = null, int? Limit = null, int? Offset = null)
{
    /// <summary>The query string, without the leading '?'.</summary>
    public string ToQueryString() => QueryString.Of(("status", Status), ("task_id", TaskId), ("requested_by", RequestedBy), ("caller", Caller),
        ("limit", Limit?.ToString(CultureInfo.InvariantCulture)), ("offset", Offset?.ToString(CultureInfo.InvariantCulture)));
}

/// <summary>
/// One event of <c>GET /api/v1/approvals/events</c> (server-sent events, <c>event: approval</c>, resumable with
/// <c>Last-Event-ID</c>): a request was created (<c>pending</c>) or changed status.
/// </summary>
public sealed record ApprovalEvent(string Type, ApprovalResponse Approval)
{
    public const string Created = "created";
    public const string Decided = "decided";
}

/// <summary>A decision on an approval request (<c>POST …/approve</c> or <c>…/reject</c>); a rejection should say why.</summary>
public sealed record ApprovalDecisionRequest(string? Reason);

/// <summary>The statuses of an approval request.</summary>
public static class ApprovalStatuses
{
    public const string Pending = "pending";
    public const string Approved = "approved";
    public const string Rejected = "rejected";
    public const string Withdrawn = "withdrawn";
    public const string Expired = "expired";

    public static readonly IReadOnlyList<string> All = [Pending, Approved, Rejected, Withdrawn, Expired];
}
