using Microsoft.Extensions.Options;
using Nethereum.JsonRpc.Client;
using Nethereum.Web3;
using OpenMcpChain.ChainService.Tools;

namespace OpenMcpChain.ChainService.Networks;

/// <summary>One Nethereum <see cref="Web3"/> per configured network, sharing the service's pooled HTTP handlers.</summary>
public sealed class NetworkRegistry(IOptions<NetworksOptions> options, IHttpClientFactory httpClients)
{
    public const string HttpClientName = "chain-rpc";

    private readonly Dictionary<string, Web3> _clients = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _gate = new();

    public IReadOnlyCollection<string> Names => options.Value.Keys;

    public Web3 Get(string? network) => Resolve(network).Web3;

    /// <summary>The network's canonical name, its client and its options.</summary>
    public (string Name, Web3 Web3, NetworkOptions Options) Resolve(string? network)
    {
        var name = string.IsNullOrWhiteSpace(network) ? NetworksOptions.DefaultNetwork : network.Trim();
        if (!options.Value.TryGetValue(name, out var config))
        {
            throw new ChainToolException(ChainErrorCodes.UnknownNetwork,
                $"Unknown network '{name}'. Known networks: {string.Join(", ", options.Value.Keys)}.");
        }
        lock (_gate)
        {
            if (!_clients.TryGetValue(name, out var web3))
            {
                var client = new RpcClient(new Uri(config.RpcUrl), httpClients.CreateClient(HttpClientName));
                _clients[name] = web3 = new Web3(client);
            }
            return (options.Value.Keys.First(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase)), web3, config);
        }
    }
}
