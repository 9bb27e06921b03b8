namespace OpenMcpChain.AgentService.Agent;

/// <summary>
/// The networks a task may name (<c>Chain:*</c>): the AppHost sets them from <c>Infra:Chain</c> and <c>Chain:Networks</c>,
/// the same names ChainService is given, without their RPC URLs.
/// </summary>
public sealed class ChainNetworks
{
    public const string SectionName = "Chain";

    /// <summary>The known names; empty (the service run on its own) accepts any name and leaves the refusal to ChainService.</summary>
    public List<string> Networks { get; set; } = [];

    /// <summary>The network of a task that names none.</summary>
    public string DefaultNetwork { get; set; } = "devnet";

    public bool Knows(string network) => Networks.Count == 0 || Networks.Contains(network, StringComparer.OrdinalIgnoreCase);
}
