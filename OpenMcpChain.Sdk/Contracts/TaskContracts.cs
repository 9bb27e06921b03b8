using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpenMcpChain.Sdk.Contracts;

/// <summary>The body of <c>POST /api/v1/tasks</c>, wire-compatible with the original daemon.</summary>
public sealed record CreateTaskRequest(
    string? Goal,
    string? ChainAction = null,
    string? Address = null,
    Dictionary<string, JsonElement>? Metadata = null,
    string? Network = null,
    string? SessionId = null,
    string? Profile = null);

/// <summary>
/// Token counts as the model reported them, and the model calls made for the task (each once). A later attempt continues
/// the recorded conversation instead of asking again: <see cref="ModelCallsSaved"/> counts the turns it did not pay for again.
/// </summary>
public sealed record TokenUsage(long InputTokens, long OutputTokens, long ModelCalls = 0, long ModelCallsSaved = 0);

/// <summary>
/// One recorded step of a task: a model turn or a tool call, with where the log holds it. A tool call names the model's call
/// it answers (<see cref="CallId"/>) and holds its answer as the model was given it (<see cref="Content"/>).
/// </summary>
public sealed record TaskStepResponse(
    int Attempt, int Seq, string Kind, string Name, JsonElement? Arguments, string Output, bool IsError, string? ErrorCode,
    string? PolicyDecision, long DurationMs, long InputTokens, long OutputTokens, long? LogIndex, long CreatedAt,
    string? CallId = null, string? Content = null);

/// <summary>A state change of a task, with its time (UNIX milliseconds).</summary>
public sealed record TaskEventResponse(string Status, string? Detail, long At);

/// <summary>A task as the API returns it; times are UNIX seconds.</summary>
public sealed record TaskResponse
{
    /// <summary>The task id (also returned as <c>id</c> by the single-task read, as the daemon did).</summary>
    public required string TaskId { get; init; }
    public string Id => TaskId;
    public required string Status { get; init; }
    public int Attempts { get; init; }
    public int MaxRetries { get; init; }
    public required string Goal { get; init; }
    public string ChainAction { get; init; } = "";
    public string Address { get; init; } = "";
    public Dictionary<string, JsonElement> Metadata { get; init; } = [];
    public string? Network { get; init; }
    public string? SessionId { get; init; }
    public TaskResult? Result { get; init; }
    public TaskError? Error { get; init; }
    /// <summary>The original daemon's flat error fields, which its console shows: the last error message and its code.</summary>
    public string? LastError { get; init; }
    public string? ErrorCode { get; init; }
    /// <summary>While <c>awaiting_approval</c>: the ChainService approval request the task waits for.</summary>
    public string? ApprovalId { get; init; }
    /// <summary>The agent profile the task ran with.</summary>
    public string? Profile { get; init; }
    /// <summary>The authenticated user who submitted the task (null when the Gateway runs without authentication).</summary>
    public string? SubmittedBy { get; init; }
    /// <summary>Tokens the model read and wrote for this task, over all its steps and attempts.</summary>
    public TokenUsage Usage { get; init; } = new(0, 0);
    public long CreatedAt { get; init; }
    public long UpdatedAt { get; init; }
}

/// <summary>
/// What the agent produced, in the original daemon's shape: <see cref="ChainId"/>, <see cref="BlockNumber"/> and
/// <see cref="Observations"/> are strings (its console renders them as they are); <see cref="ToolCalls"/> holds the
/// structured record of each tool call.
/// </summary>
public sealed record TaskResult
{
    public string Thought { get; init; } = "";
    public string Reply { get; init; } = "";
    /// <summary>The chain the answer speaks of, as a 0x-hex quantity (<c>0x7a69</c>), as the original daemon gave it.</summary>
    public string ChainId { get; init; } = "";
    /// <summary>The block the answer speaks of, as a 0x-hex quantity.</summary>
    public string BlockNumber { get; init; } = "";
    /// <summary>What the agent saw on chain, readable: one line per tool call.</summary>
    public string Observations { get; init; } = "";
    public List<ToolCall> ToolCalls { get; init; } = [];
    public Provenance? Provenance { get; init; }
}

/// <summary>One tool call the agent made and what came back.</summary>
public sealed record ToolCall(string Tool, JsonElement Arguments, string Output, bool IsError);

/// <summary>Why a task failed, with a stable code.</summary>
public sealed record TaskError(string Code, string Message);

/// <summary>The proof that a task's outcome was produced and signed by the ProofService signer.</summary>
public sealed record Provenance
{
    public required string Signer { get; init; }
    public required string Signature { get; init; }
    /// <summary>The signature scheme; <c>eip191</c> means <see cref="Message"/> was signed as a personal message.</summary>
    public required string Scheme { get; init; }
    /// <summary>Exactly the text that was signed: canonical JSON of the task id, goal and result.</summary>
    public required string Message { get; init; }
    [JsonPropertyName("typed_data")]
    public JsonElement? TypedData { get; init; }
    /// <summary>Where the transparency log holds the outcome, with the inclusion proof to a tree head (the anchored one once anchored).</summary>
    public ProvenanceLog? Log { get; init; }
    /// <summary>The transaction that anchored <see cref="Log"/>'s tree head on chain; null until anchored.</summary>
    public Proofs.AnchorRecord? Anchor { get; init; }
}

/// <summary>The outcome's log entry and its RFC 9162 inclusion proof to the tree head of size <see cref="TreeSize"/>.</summary>
public sealed record ProvenanceLog
{
    public long Index { get; init; }
    public long TreeSize { get; init; }
    public string Root { get; init; } = "";
    /// <summary>The canonical JSON of the outcome entry (it names the attestation's signature).</summary>
    public string Entry { get; init; } = "";
    public string LeafHash { get; init; } = "";
    public List<string> InclusionPath { get; init; } = [];
}

/// <summary>A page of tasks.</summary>
public sealed record TaskListResponse(List<TaskResponse> Tasks, int Total, bool HasMore, int? NextOffset);

/// <summary>Task counts per status for the same filters as the list; the times are 0 when no task matches, as in the original daemon.</summary>
public sealed record TaskStatsResponse(int Total, int Pending, int Running, int Succeeded, int Failed, long OldestUpdatedAt, long NewestUpdatedAt)
{
    public int AwaitingApproval { get; init; }
    public int Rejected { get; init; }
    public int Cancelled { get; init; }
}

/// <summary>The statuses a task passes through, as they appear on the wire.</summary>
public static class TaskStatuses
{
    public const string Pending = "pending";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string AwaitingApproval = "awaiting_approval";
    public const string Rejected = "rejected";
    public const string Cancelled = "cancelled";

    public static readonly IReadOnlyList<string> All = [Pending, Running, AwaitingApproval, Succeeded, Failed, Rejected, Cancelled];
    public static bool IsFinal(string status) => status is Succeeded or Failed or Rejected or Cancelled;
}

/// <summary>The ProofService signer: the address that signs attestations and tree heads, and its scheme.</summary>
public sealed record SignerResponse(string Address, string Scheme);
