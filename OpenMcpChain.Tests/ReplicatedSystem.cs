namespace OpenMcpChain.Tests;

/// <summary>The whole system with every service at two replicas (<c>Replicas:{service}=2</c>), on data of its own.</summary>
public sealed class ReplicatedSystem : IAsyncLifetime
{
    public const int Replicas = 2;
    private static readonly string[] Services = ["chainservice", "proofservice", "agentservice", "gateway"];
    private readonly string _data = Directory.CreateTempSubdirectory("openmcp-replicas-").FullName;

    public SystemRun Run { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Run = await SystemRun.StartAsync(_data, [.. Services.Select(s => $"--Replicas:{s}={Replicas}")]);

    public async Task DisposeAsync()
    {
        if (Run is not null) await Run.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }
}
