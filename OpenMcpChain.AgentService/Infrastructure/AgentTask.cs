namespace OpenMcpChain.AgentService.Infrastructure;

/// <summary>A submitted task and, once it ran, its outcome.</summary>
public sealed class AgentTask
{
    public required string Id { get; set; }
    public required string Goal { get; set; }
    public string ChainAction { get; set; } = "";
    public string Address { get; set; } = "";
    public string MetadataJson { get; set; } = "{}";
    public string? Network { get; set; }
    public string? SessionId { get; set; }
    public string? IdempotencyKey { get; set; }
    public string Status { get; set; } = "pending";
    public int Attempts { get; set; }
    public int MaxRetries { get; set; }
    /// <summary>The result as the API returns it (JSON), set when the task succeeds.</summary>
    public string? ResultJson { get; set; }
    public string? ErrorCode { get; set; }
    public string? ErrorMessage { get; set; }
    /// <summary>When the task reached the Redis stream; null means the sweeper must still enqueue it.</summary>
    public DateTimeOffset? EnqueuedAt { get; set; }
    /// <summary>The approval request a parked write waits for (while <c>awaiting_approval</c>).</summary>
    public string? ApprovalId { get; set; }
    /// <summary>Set by a cancel of a running task; the agent stops at its next step boundary.</summary>
    public bool CancelRequested { get; set; }
    public string? Profile { get; set; }
    /// <summary>The authenticated caller who submitted the task, as the Gateway vouches for it (X-Caller).</summary>
    public string? SubmittedBy { get; set; }
    public long TokensIn { get; set; }
    public long TokensOut { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A state a task entered, and when.</summary>
public sealed class TaskEvent
{
    public long Id { get; set; }
    public required string TaskId { get; set; }
    public required string Status { get; set; }
    public string? Detail { get; set; }
    public DateTimeOffset At { get; set; }
}

/// <summary>One step of a run: a model turn or a tool call, as recorded and appended to the transparency log.</summary>
public sealed class TaskStep
{
    public long Id { get; set; }
    public required string TaskId { get; set; }
    public int Attempt { get; set; }
    public int Seq { get; set; }
    public required string Kind { get; set; }
    public required string Name { get; set; }
    public string? ArgumentsJson { get; set; }
    public string Output { get; set; } = "";
    public bool IsError { get; set; }
    public string? ErrorCode { get; set; }
    public string? PolicyDecision { get; set; }
    public long DurationMs { get; set; }
    public long TokensIn { get; set; }
    public long TokensOut { get; set; }
    public long? LogIndex { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public static class StepKinds
{
    public const string ModelTurn = "model_turn";
    public const string ToolCall = "tool_call";
}

/// <summary>How an agent behaves: its system prompt, model, tools and limits. Tasks name one; <c>default</c> always exists.</summary>
public sealed class AgentProfile
{
    public const string Default = "default";

    public required string Name { get; set; }
    public required string SystemPrompt { get; set; }
    public string? Model { get; set; }
    /// <summary>JSON array of tool names; null allows every tool ChainService offers.</summary>
    public string? AllowedToolsJson { get; set; }
    public int MaxSteps { get; set; } = 8;
    public int StepTimeoutSeconds { get; set; } = 30;
    public int TaskTimeoutSeconds { get; set; } = 120;
}
