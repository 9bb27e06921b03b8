using Aspire.Hosting.Testing;

namespace OpenMcpChain.Tests;

/// <summary>
/// The whole system with authentication off (<c>Gateway:Auth:Required=false</c>, the Gateway bound to loopback), as the
/// original daemon's clients expect it: they send no token.
/// </summary>
public sealed class OpenGatewayFixture : IAsyncLifetime
{
    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("openmcp-open-gateway-").FullName;
    public SystemRun Run { get; private set; } = null!;
    public Uri Gateway => Run.App.GetEndpoint("gateway", "http");

    public async Task InitializeAsync() => Run = await SystemRun.StartAsync(DataDirectory, "--Gateway:Auth:Required=false");

    public async Task DisposeAsync()
    {
        if (Run is not null) await Run.DisposeAsync();
        Directory.Delete(DataDirectory, recursive: true);
    }
}

/// <summary>Runs alone: a second whole system beside the shared one would halve what each gets of this machine.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OpenGatewayCollection : ICollectionFixture<OpenGatewayFixture>
{
    public const string Name = "open-gateway";
}
