namespace OpenMcpChain.AgentService.Infrastructure;

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
