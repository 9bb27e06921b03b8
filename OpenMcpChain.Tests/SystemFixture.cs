using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nethereum.Web3;
using OpenMcpChain.Sdk;

namespace OpenMcpChain.Tests;

/// <summary>The whole system (AppHost with real MariaDB, Redis, anvil, llm-bridge and the four services), started once per collection.</summary>
public sealed class SystemFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromMinutes(1);
    /// <summary>How often ProofService anchors new log entries in the tests (the AppHost default is 30 s).</summary>
    public const string AnchorInterval = "00:00:02";
    public const string ReaderPassword = "reader-test-password";
    public const string LimitedPassword = "limited-test-password";
    public const string HashedPassword = "hashed-test-password";
    public const string FuzzerPassword = "fuzzer-test-password";
    public const string GuessedPassword = "guessed-test-password";
    /// <summary>How long a sign-in lock lasts in the tests (the default is 5 minutes).</summary>
    public static readonly TimeSpan LockFor = TimeSpan.FromSeconds(4);
    /// <summary>Failed sign-ins from one address before it is locked: every test signs in from loopback.</summary>
    public const int AddressFailures = 40;

    private static string Pbkdf2(string password)
    {
        var salt = System.Security.Cryptography.RandomNumberGenerator.GetBytes(16);
        var hash = System.Security.Cryptography.Rfc2898DeriveBytes.Pbkdf2(password, salt, 100_000, System.Security.Cryptography.HashAlgorithmName.SHA256, 32);
        return $"pbkdf2-sha256${100_000}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    /// <summary>The data the executables keep (MariaDB, Redis AOF, anvil state), fresh for this fixture and deleted after.</summary>
    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("openmcp-test-data-").FullName;

    public DistributedApplication App { get; private set; } = null!;
    public HttpClient Gateway { get; private set; } = null!;
    public OpenMcpChainClient Client { get; private set; } = null!;
    public Web3 Devnet { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using var turn = await SystemStarts.TakeTurnAsync();
        using var cts = new CancellationTokenSource(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.OpenMcpChain_AppHost>(
            // Resource logs reach the test output at Warning and above; a failing run still shows what went wrong.
            ["--Infra:Mode=executables", "--Logging:LogLevel:Default=Warning", $"--Anchoring:Interval={AnchorInterval}",
             // Each run starts from empty data of its own, never a developer's .data/.
             $"--Data:Directory={DataDirectory}",
             // Two more Gateway users for the auth tests: one that may only read, one with a tiny request rate.
             $"--Gateway:Auth:Users:reader:Password={ReaderPassword}", "--Gateway:Auth:Users:reader:Scopes:0=tasks:read",
             $"--Gateway:Auth:Users:limited:Password={LimitedPassword}", "--Gateway:Auth:Users:limited:RequestsPerMinute=3",
             // The same limit met over gRPC, by a user of its own so the two tests never share a window.
             $"--Gateway:Auth:Users:grpclimited:Password={LimitedPassword}", "--Gateway:Auth:Users:grpclimited:RequestsPerMinute=3",
             "--Gateway:Auth:Users:grpclimited:Scopes:0=tasks:read",
             // And one configured the production way: only a PBKDF2 hash of its password.
             $"--Gateway:Auth:Users:hashed:PasswordHash={Pbkdf2(HashedPassword)}",
             // And the fuzz test's user: every scope, and a request rate its few hundred requests a minute stay under.
             $"--Gateway:Auth:Users:fuzzer:Password={FuzzerPassword}", "--Gateway:Auth:Users:fuzzer:Scopes:0=tasks:read",
             "--Gateway:Auth:Users:fuzzer:Scopes:1=tasks:write", "--Gateway:Auth:Users:fuzzer:Scopes:2=chain:tools",
             "--Gateway:Auth:Users:fuzzer:Scopes:3=approvals:decide",
             "--Gateway:Auth:Users:fuzzer:RequestsPerMinute=100000",
             // A user whose password the lockout test guesses; short locks, so the rest of the collection can go on.
             $"--Gateway:Auth:Users:guessed:Password={GuessedPassword}", "--Gateway:Auth:Users:guessed:Scopes:0=tasks:read",
             $"--Gateway:Auth:Lockout:LockFor={LockFor}", $"--Gateway:Auth:Lockout:MaxFailuresPerAddress={AddressFailures}"], cts.Token);
        builder.Services.AddLogging(l => l
            .SetMinimumLevel(LogLevel.Warning)
            // Probes fail while resources start; that is expected, not news.
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None));
        // No resilience handler on the clients the tests use: an intermittent 5xx must fail a test, not be retried
        // away (TestClientTests holds this, also against a testing package that would add one by default).
        App = await builder.BuildAsync(cts.Token);
        await App.StartAsync(cts.Token);
        await App.ResourceNotifications.WaitForResourceHealthyAsync("gateway", cts.Token);

        Gateway = App.CreateHttpClient("gateway", "http");
        Client = new OpenMcpChainClient(Gateway);
        await Client.AuthenticateAsync("operator", await ParameterAsync("gateway-operator-password"), ct: cts.Token);
        Devnet = new Web3(App.GetEndpoint("devnet", "http").ToString());
    }

    public HttpClient CreateClient(string resource) => App.CreateHttpClient(resource, "http");

    /// <summary>The value of an AppHost parameter (e.g. a generated caller key).</summary>
    public async Task<string> ParameterAsync(string name)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return (await App.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<ParameterResource>()
            .Single(p => p.Name == name).GetValueAsync(cts.Token))!;
    }

    /// <summary>ChainService as its operator (the caller allowed to approve parked writes).</summary>
    public async Task<HttpClient> ChainOperatorAsync()
    {
        var client = CreateClient("chainservice");
        client.DefaultRequestHeaders.Authorization = new("Bearer", await ParameterAsync("chain-operator-key"));
        return client;
    }

    private Task<ChainServiceFixture>? _chainService;
    private readonly Lock _gate = new();

    /// <summary>A ChainService with a strict test policy on the same infrastructure, started on first use.</summary>
    public Task<ChainServiceFixture> GetChainServiceAsync()
    {
        lock (_gate)
        {
            return _chainService ??= StartChainServiceAsync();
        }
    }

    private async Task<ChainServiceFixture> StartChainServiceAsync()
    {
        var fixture = new ChainServiceFixture(this);
        await fixture.InitializeAsync();
        return fixture;
    }

    public async Task DisposeAsync()
    {
        // A shutdown that hangs fails the run here instead of holding CI until its own limit.
        using var cts = new CancellationTokenSource(StopTimeout);
        if (_chainService is { IsCompletedSuccessfully: true }) await _chainService.Result.DisposeAsync().WaitAsync(cts.Token);
        Gateway?.Dispose();
        if (App is not null)
        {
            await App.StopAsync(cts.Token);
            await App.DisposeAsync().AsTask().WaitAsync(cts.Token);
        }
        Directory.Delete(DataDirectory, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class SystemCollection : ICollectionFixture<SystemFixture>
{
    public const string Name = "system";
}
