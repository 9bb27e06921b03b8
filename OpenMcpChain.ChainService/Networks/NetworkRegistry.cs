using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Nethereum.JsonRpc.Client;
using Nethereum.Web3;
using OpenMcpChain.ChainService.Errors;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.ChainService.Networks;

/// <summary>One Nethereum <see cref="Web3"/> per configured network, sharing the service's pooled HTTP handler.</summary>
public sealed class NetworkRegistry(IOptions<NetworksOptions> options, IConfiguration configuration)
{
    // JSON-RPC gets no generic retry/timeout pipeline: a retried eth_sendRawTransaction or a cut receipt wait would
    // change meaning, and each hop of the default pipeline costs latency on every read. Failures surface as
    // RPC_UNAVAILABLE, and the recovery worker re-sends stored transactions.
    private static readonly SocketsHttpHandler Handler = new() { PooledConnectionLifetime = TimeSpan.FromMinutes(2) };

    // Every tool call resolves its network: nothing here takes a lock once a network's client exists (reading the
    // configuration per call did, and so did one gate around the clients, under concurrent calls).
    private readonly ConcurrentDictionary<string, (string Name, Web3 Web3, NetworkOptions Options)> _resolved = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyCollection<string> Names => options.Value.Keys;

    /// <summary>The network a call that names none uses: <c>Chain:DefaultNetwork</c> (the AppHost sets it from <c>Infra:Chain</c>), else devnet; read at start.</summary>
    public string DefaultName { get; } = configuration["Chain:DefaultNetwork"] is { Length: > 0 } configured ? configured : NetworksOptions.DefaultNetwork;

    public Web3 Get(string? network) => Resolve(network).Web3;

    /// <summary>The network's canonical name, its client and its options.</summary>
    public (string Name, Web3 Web3, NetworkOptions Options) Resolve(string? network)
    {
        var name = string.IsNullOrWhiteSpace(network) ? DefaultName : network.Trim();
        if (_resolved.TryGetValue(name, out var resolved)) return resolved;
        if (!options.Value.TryGetValue(name, out var config))
        {
            var hint = NetworkPresets.All.ContainsKey(name) ? $" '{name}' is a known preset but has no RPC URL here (the AppHost's secret parameter {name}-rpc-url)." : "";
            throw Arguments.Invalid("network", $"Unknown network '{name}'.{hint} Networks here: {string.Join(", ", options.Value.Keys)}.",
                ChainErrorCodes.UnknownNetwork);
        }
        // One HttpClient per network over the shared handler: RpcClient sets up the client it is given, which an HttpClient
        // refuses once it has sent a request (a second network, or a second instance in one process). Two first calls at
        // once may each build one; the first stored is the one every call uses.
        var canonical = options.Value.Keys.First(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));
        var client = new RpcClient(new Uri(config.RpcUrl), new HttpClient(Handler, disposeHandler: false) { Timeout = TimeSpan.FromSeconds(30) });
        return _resolved.GetOrAdd(name, (canonical, new Web3(client), config));
    }
}
