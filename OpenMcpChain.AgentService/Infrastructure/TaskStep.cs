namespace OpenMcpChain.AgentService.Infrastructure;

/// <summary>
/// One step of a task: a model turn or a tool call, as recorded and appended to the transparency log. The steps of a task
/// are its conversation: a later attempt rebuilds it from them and asks the model only for the next turn.
/// </summary>
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
    /// <summary>For a tool call: the id of the model's call it answers (null on steps recorded before resumption existed).</summary>
    public string? CallId { get; set; }
    /// <summary>For a tool call: its answer exactly as the model was given it (the tool message's content).</summary>
    public string? Content { get; set; }
    public bool IsError { get; set; }
    public string? ErrorCode { get; set; }
    public string? PolicyDecision { get; set; }
    public long DurationMs { get; set; }
    public long TokensIn { get; set; }
    public long TokensOut { get; set; }
    public long? LogIndex { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
