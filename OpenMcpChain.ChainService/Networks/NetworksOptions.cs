using OpenMcpChain.ChainService.Policy;

namespace OpenMcpChain.ChainService.Networks;

/// <summary>The chains this service talks to, by name (<c>Networks:{name}:*</c>); <c>devnet</c> is the default.</summary>
public sealed class NetworksOptions : Dictionary<string, NetworkOptions>
{
    public const string SectionName = "Networks";
    public const string DefaultNetwork = "devnet";

    public NetworksOptions() : base(StringComparer.OrdinalIgnoreCase)
    {
    }
}

/// <summary>One chain: where its JSON-RPC answers, how deep a receipt must be buried, and the policy its writes pass.</summary>
public sealed record NetworkOptions
{
    public string RpcUrl { get; set; } = "";
    public long? ChainId { get; set; }
    public int ConfirmationDepth { get; set; } = 1;
    public TimeSpan ReceiptTimeout { get; set; } = TimeSpan.FromSeconds(60);
    public PolicyOptions Policy { get; set; } = new();
}
