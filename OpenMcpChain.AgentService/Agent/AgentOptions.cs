namespace OpenMcpChain.AgentService.Agent;

/// <summary>Endpoints and queue settings of the agent runtime (<c>Agent:*</c>); step and time limits live in agent profiles.</summary>
public sealed class AgentOptions
{
    public const string SectionName = "Agent";

    /// <summary>The OpenAI-compatible base URL of the model (llm-bridge by default, found through service discovery).</summary>
    public string LlmEndpoint { get; set; } = "http://llm-bridge/v1";
    /// <summary>
    /// The model a task asks for when its profile names none: the AppHost sets it to <c>LlmBridge:UpstreamModel</c> when
    /// one is configured, so the provider gets a model it knows; offline, llm-bridge's own planner.
    /// </summary>
    public string Model { get; set; } = "offline-planner";
    public string ApiKey { get; set; } = "unused";
    /// <summary>How long one model call may take (a real provider may think for minutes); it is not asked again when cut.</summary>
    public TimeSpan ModelAttemptTimeout { get; set; } = TimeSpan.FromMinutes(2);
    /// <summary>How often a model call is asked again after a refused connection or a 429/503 (after its Retry-After).</summary>
    public int ModelRetries { get; set; } = 3;
    /// <summary>
    /// How long one write tool call may take at the HTTP level: longer than ChainService's wait for a receipt
    /// (<c>Networks:{name}:ReceiptTimeout</c>, 60 s by default), so a write is not cut while it confirms.
    /// </summary>
    public TimeSpan ToolWriteTimeout { get; set; } = TimeSpan.FromSeconds(90);
    public string ChainMcpEndpoint { get; set; } = "http://chainservice/mcp";
    /// <summary>The agent's API key at ChainService (a secret parameter).</summary>
    public string ChainApiKey { get; set; } = "";
    public int MaxRetries { get; set; } = 3;
    public int Concurrency { get; set; } = 4;
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(2);
    /// <summary>A stream message unacknowledged this long belongs to a crashed worker and is taken over.</summary>
    public TimeSpan ReclaimAfter { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>The model a task uses: its profile's, else the configured one. The only place this is decided.</summary>
    public string ModelFor(Infrastructure.AgentProfile profile) => string.IsNullOrWhiteSpace(profile.Model) ? Model : profile.Model;

    public override string ToString() => $"{nameof(AgentOptions)} {{ Model = {Model}, ApiKey = ***, ChainApiKey = *** }}";
}
