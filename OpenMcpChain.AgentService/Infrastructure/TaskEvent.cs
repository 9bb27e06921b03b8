namespace OpenMcpChain.AgentService.Infrastructure;

/// <summary>A state a task entered, and when.</summary>
public sealed class TaskEvent
{
    public long Id { get; set; }
    public required string TaskId { get; set; }
    public required string Status { get; set; }
    public string? Detail { get; set; }
    public DateTimeOffset At { get; set; }
}
