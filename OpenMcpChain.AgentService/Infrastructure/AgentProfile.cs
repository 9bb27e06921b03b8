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
    public int MaxSteps { get; set; } = ProfileDefaults.MaxSteps;
    public int StepTimeoutSeconds { get; set; } = ProfileDefaults.StepTimeoutSeconds;
    public int TaskTimeoutSeconds { get; set; } = ProfileDefaults.TaskTimeoutSeconds;
}
