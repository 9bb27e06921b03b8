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
    /// <summary>The W3C <c>traceparent</c> of the request that submitted the task; its runs are spans of that trace.</summary>
    public string? TraceParent { get; set; }
    public long TokensIn { get; set; }
    public long TokensOut { get; set; }
    /// <summary>Model calls made for the task, each counted once over all its attempts.</summary>
    public long ModelCalls { get; set; }
    /// <summary>Recorded model turns a later attempt continued from instead of asking the model again (what resuming saved).</summary>
    public long ModelCallsSaved { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
