namespace OpenMcpChain.AgentService.Agent;

/// <summary>A task failure with a stable code; transient failures are retried up to the task's max_retries.</summary>
public sealed class AgentFailure(string code, string message, bool transient, Exception? inner = null) : Exception(message, inner)
{
    public string Code { get; } = code;
    public bool Transient { get; } = transient;
}
