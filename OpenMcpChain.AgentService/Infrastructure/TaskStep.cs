namespace OpenMcpChain.AgentService.Infrastructure;

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
