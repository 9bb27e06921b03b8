using Microsoft.Extensions.Configuration;

namespace OpenMcpChain.AppHost;

/// <summary>Which chain the services use (<c>Infra:Chain</c>, independent of <c>Infra:Mode</c>).</summary>
internal enum ChainMode
{
    /// <summary>A local anvil (chain id 31337, the standard test mnemonic): the default of a local run.</summary>
    Devnet,
    /// <summary>That anvil forking the network named in <c>Chain:Fork</c>: dry runs against real state.</summary>
    Fork,
    /// <summary>No anvil; the services' default network is <c>Chain:Default</c>: the default of a deployment.</summary>
    Network,
}

/// <summary>
/// The chains the services are given: the local chain (<see cref="ChainMode.Devnet"/> or <see cref="ChainMode.Fork"/>;
/// none for <see cref="ChainMode.Network"/>) and its RPC URL, the named networks' RPC URL parameters, and the network a
/// call that names none uses.
/// </summary>
internal sealed record Chains(
    IResourceBuilder<IResource>? Local, ReferenceExpression? LocalRpcUrl,
    IReadOnlyDictionary<string, IResourceBuilder<ParameterResource>> Networks, string DefaultNetwork)
{
    /// <summary>Whether the local chain forks a network (so it answers with that network's chain id, not 31337).</summary>
    public bool LocalIsFork { get; init; }

    /// <summary>Every network the services know by name: the local chain (as <c>devnet</c>) and the named networks.</summary>
    public IEnumerable<string> Names => Local is null ? Networks.Keys : Networks.Keys.Prepend(ChainResources.LocalNetwork);
}

/// <summary>The chain resources: the whole decision of <c>Infra:Chain</c>, <c>Chain:*</c> and <c>Devnet:*</c> in one place.</summary>
internal static class ChainResources
{
    private const string DevnetMnemonic = "test test test test test test test test test test test junk";
    private const long DevnetChainId = 31337;

    /// <summary>The services' name for the local chain (ChainService's <c>devnet</c> preset).</summary>
    public const string LocalNetwork = "devnet";

    /// <summary>The network a deployment targets when <c>Chain:Default</c> names none.</summary>
    private const string DeploymentNetwork = "sepolia";

    /// <summary>The foundry image tag, the version of the npm anvil in tools/package.json.</summary>
    private const string AnvilImageTag = "v1.7.1";

    /// <summary>
    /// <c>Infra:Chain</c>, and when none is configured: a local run has the devnet; a deployment targets a network
    /// (<c>Chain:Default</c>, default <c>sepolia</c>) and deploys the devnet (anvil, with its public keys) only when asked:
    /// <c>Devnet:Deploy=true</c>.
    /// </summary>
    private static ChainMode GetChainMode(this IDistributedApplicationBuilder builder)
    {
        if (builder.Configuration["Infra:Chain"] is { Length: > 0 } configured)
            return Enum.TryParse<ChainMode>(configured, ignoreCase: true, out var mode) && Enum.IsDefined(mode)
                ? mode
                : throw new InvalidOperationException($"Infra:Chain is devnet, fork or network, not '{configured}'.");
        return builder.ExecutionContext.IsPublishMode && !builder.Configuration.GetValue("Devnet:Deploy", false)
            ? ChainMode.Network
            : ChainMode.Devnet;
    }

    /// <summary>
    /// The chains of <c>Infra:Chain</c> (<see cref="ChainMode"/>): the local anvil <paramref name="name"/> on port 8545
    /// (<c>Devnet:Port</c>), or an existing node (<c>Devnet:RpcUrl</c>) with <c>Infra:Mode=existing</c>, or none. Each
    /// network in <c>Chain:Networks</c> (and the forked one, and a deployment's default) takes its RPC URL from the secret
    /// parameter <c>{name}-rpc-url</c>; its chain id, symbol, depth and fees are ChainService's presets. The services are
    /// given the networks of <c>Chain:Networks</c> and the default, not the forked one unless it is listed there too.
    /// </summary>
    public static Chains AddChains(this IDistributedApplicationBuilder builder, string name, InfraMode infra)
    {
        var chain = builder.GetChainMode();
        var named = builder.Configuration.GetSection("Chain:Networks").Get<string[]>() ?? [];
        var fork = chain != ChainMode.Fork ? null
            : builder.Configuration["Chain:Fork"] is { Length: > 0 } f ? f
            : throw new InvalidOperationException("Infra:Chain=fork needs Chain:Fork, the network to fork (e.g. sepolia).");
        var defaultNetwork = chain != ChainMode.Network ? LocalNetwork
            : (builder.Configuration["Chain:Default"] is { Length: > 0 } d ? d : named.FirstOrDefault())
              ?? (builder.ExecutionContext.IsPublishMode ? DeploymentNetwork : null)
              ?? throw new InvalidOperationException("Infra:Chain=network needs Chain:Networks (and Chain:Default when there are several).");
        var networks = named.Append(chain == ChainMode.Network ? defaultNetwork : null).OfType<string>()
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToDictionary(n => n, n => builder.AddParameter($"{n}-rpc-url", secret: true), StringComparer.OrdinalIgnoreCase);
        if (chain == ChainMode.Network)
            return new Chains(null, null, networks, defaultNetwork);

        if (infra == InfraMode.Existing)
        {
            var url = builder.Configuration["Devnet:RpcUrl"]
                ?? throw new InvalidOperationException("Infra:Mode=existing needs Devnet:RpcUrl.");
            var external = builder.AddExternalService(name, url);
            return new Chains(external, ReferenceExpression.Create($"{url}"), networks, defaultNetwork);
        }
        // A fork keeps the forked chain's id (so signatures are valid there too) and starts from its latest block. Its URL
        // often holds a provider's key, so it is never on anvil's command line (which the resource's console log shows):
        // sh puts it there from the secret environment variable ANVIL_FORK_URL. Anvil runs --silent, since its start-up
        // banner would print the URL too.
        string[] anvilArgs = fork is not null ? ["--silent"] : ["--chain-id", DevnetChainId.ToString(), "--mnemonic", DevnetMnemonic];
        // The forked network's URL reaches anvil only: a dry run must not let a write that names that network reach it.
        var forkUrl = fork is null ? null : networks.GetValueOrDefault(fork) ?? builder.AddParameter($"{fork}-rpc-url", secret: true);
        const string forkCommand = "exec \"$0\" \"$@\" --fork-url \"$ANVIL_FORK_URL\"";
        IResourceBuilder<IResourceWithEndpoints> anvil;
        if (infra == InfraMode.Containers)
        {
            // The same anvil as the npm package (tools/package.json) runs locally.
            string[] shell = forkUrl is null ? [] : ["-c", forkCommand, "anvil"];
            var container = builder.AddContainer(name, "ghcr.io/foundry-rs/foundry", AnvilImageTag)
                .WithEntrypoint(forkUrl is null ? "anvil" : "sh")
                .WithArgs([.. shell, .. anvilArgs, "--host", "0.0.0.0", "--port", "8545", "--state", "/data/state.json", "--state-interval", "1"])
                .WithVolume($"{name}-data", "/data")
                .WithHttpEndpoint(targetPort: 8545, name: "http");
            if (forkUrl is not null) container.WithEnvironment("ANVIL_FORK_URL", forkUrl);
            anvil = container;
        }
        else
        {
            var state = Path.Combine(builder.DataDirectory(fork is not null ? "anvil-fork" : "anvil"), "state.json");
            var program = Path.Combine(builder.RepoRoot(), "tools", "node_modules", "@foundry-rs", "anvil-linux-amd64", "bin", "anvil");
            // Anvil listens on the devnet's port (8545, or Devnet:Port) itself, not behind the AppHost's proxy, which would copy
            // every byte of every chain call. Only a system started beside others without a port of its own (the tests: Aspire
            // randomises proxied ports there) keeps the proxy, on a port picked at start, so two devnets never meet on 8545.
            var port = builder.Configuration.GetValue<int?>("Devnet:Port");
            var besideOthers = port is null && builder.Configuration.GetValue("DcpPublisher:RandomizePorts", false);
            var executable = (forkUrl is null
                    ? builder.AddExecutable(name, program, builder.RepoRoot())
                    : builder.AddExecutable(name, "sh", builder.RepoRoot(), "-c", forkCommand, program).WithEnvironment("ANVIL_FORK_URL", forkUrl))
                .WithHttpEndpoint(port: port ?? 8545, targetPort: besideOthers ? null : port ?? 8545, name: "http", isProxied: besideOthers);
            executable.WithArgs(ctx =>
            {
                foreach (var arg in anvilArgs)
                {
                    ctx.Args.Add(arg);
                }
                ctx.Args.Add("--host"); ctx.Args.Add("127.0.0.1");
                ctx.Args.Add("--port"); ctx.Args.Add(executable.GetEndpoint("http").Property(EndpointProperty.TargetPort));
                // The chain survives restarts too: loaded at start, saved every second (a crash loses at most that) and on exit.
                ctx.Args.Add("--state"); ctx.Args.Add(state);
                ctx.Args.Add("--state-interval"); ctx.Args.Add("1");
            });
            anvil = executable.ExcludeFromManifest();
        }
        var endpoint = anvil.GetEndpoint("http");
        anvil.WithReadinessCheck(ct => ReadinessChecks.JsonRpcAsync(endpoint, ct));
        return new Chains(anvil, ReferenceExpression.Create($"{endpoint}"), networks, defaultNetwork) { LocalIsFork = fork is not null };
    }

    /// <summary>Points a service at the chains: the local chain (devnet or fork) as its <c>devnet</c> network, and each named network.</summary>
    public static IResourceBuilder<T> WithChains<T>(this IResourceBuilder<T> service, Chains chains)
        where T : IResourceWithEnvironment, IResourceWithWaitSupport
    {
        if (chains.Local is not null)
        {
            service.WithEnvironment($"Networks__{LocalNetwork}__RpcUrl", chains.LocalRpcUrl!).WaitFor(chains.Local);
            // A fork answers with the forked chain's id, which the service learns from the node.
            if (!chains.LocalIsFork) service.WithEnvironment($"Networks__{LocalNetwork}__ChainId", DevnetChainId.ToString());
        }
        foreach (var (name, url) in chains.Networks)
            service.WithEnvironment($"Networks__{name}__RpcUrl", url);
        return service.WithEnvironment("Chain__DefaultNetwork", chains.DefaultNetwork);
    }

    /// <summary>
    /// Tells a service which networks exist, without their RPC URLs: the names a task may give (an unknown one is
    /// refused at submission) and the one a task that names none runs on.
    /// </summary>
    public static IResourceBuilder<T> WithNetworkNames<T>(this IResourceBuilder<T> service, Chains chains)
        where T : IResourceWithEnvironment
    {
        foreach (var (network, i) in chains.Names.Select((n, i) => (n, i)))
            service.WithEnvironment($"Chain__Networks__{i}", network);
        return service.WithEnvironment("Chain__DefaultNetwork", chains.DefaultNetwork);
    }
}
