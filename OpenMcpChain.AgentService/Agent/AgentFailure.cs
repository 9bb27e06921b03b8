namespace OpenMcpChain.AgentService.Agent;

/// <summary>A task failure with a stable code; transient failures are retried up to the task's max_retries.</summary>
public sealed class AgentFailure(string code, string message, bool transient, Exception? inner = null) : Exception(message, inner)
{
    public string Code { get; } = code;
    public bool Transient { get; } = transient;
}

/// <summary>The run stopped at a write parked for approval; the task waits in <c>awaiting_approval</c>.</summary>
public sealed class TaskParked(string approvalId) : Exception($"Waiting for approval {approvalId}.")
{
    public string ApprovalId { get; } = approvalId;
}
