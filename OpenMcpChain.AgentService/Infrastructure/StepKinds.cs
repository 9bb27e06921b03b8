namespace OpenMcpChain.AgentService.Infrastructure;

/// <summary>The kinds of <see cref="TaskStep"/>: a model turn or a tool call.</summary>
public static class StepKinds
{
    public const string ModelTurn = "model_turn";
    public const string ToolCall = "tool_call";
}
