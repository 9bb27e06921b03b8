namespace OpenMcpChain.AgentService.Agent;

/// <summary>Endpoints and queue settings of the agent runtime (<c>Agent:*</c>); step and time limits live in agent profiles.</summary>
public sealed class AgentOptions
{
    public const string SectionName = "Agent";

    /// <summary>The OpenAI-compatible base URL of the model (llm-bridge by default, found through service discovery).</summary>
    public string LlmEndpoint { get; set; } = "http://llm-bridge/v1";
    public string Model { get; set; } = "offline-planner";
    public string ApiKey { get; set; } = "unused";
    public string ChainMcpEndpoint { get; set; } = "http://chainservice/mcp";
    /// <summary>The agent's API key at ChainService (a secret parameter).</summary>
    public string ChainApiKey { get; set; } = "";
    public int MaxRetries { get; set; } = 3;
    public int Concurrency { get; set; } = 4;
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(2);
    /// <summary>A stream message unacknowledged this long belongs to a crashed worker and is taken over.</summary>
    public TimeSpan ReclaimAfter { get; set; } = TimeSpan.FromMinutes(3);

    public override string ToString() => $"{nameof(AgentOptions)} {{ Model = {Model}, ApiKey = ***, ChainApiKey = *** }}";
}
