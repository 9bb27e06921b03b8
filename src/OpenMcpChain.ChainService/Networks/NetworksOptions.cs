namespace OpenMcpChain.ChainService.Networks;

/// <summary>The chains this service talks to, by name (<c>Networks:{name}:RpcUrl</c>); <c>devnet</c> is the default.</summary>
public sealed class NetworksOptions : Dictionary<string, NetworkOptions>
{
    public const string SectionName = "Networks";
    public const string DefaultNetwork = "devnet";

    public NetworksOptions() : base(StringComparer.OrdinalIgnoreCase)
    {
    }
}

/// <summary>One chain: where its JSON-RPC answers and which chain id it must report.</summary>
public sealed class NetworkOptions
{
    public string RpcUrl { get; set; } = "";
    public long? ChainId { get; set; }
}
