using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nethereum.Web3;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Tests;

/// <summary>One run of the whole system (the AppHost and everything it starts) on a given data directory.</summary>
public sealed class SystemRun : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(90);

    private SystemRun(DistributedApplication app) => App = app;

    public DistributedApplication App { get; }
    public HttpClient Gateway { get; private set; } = null!;
    public OpenMcpChainClient Client { get; private set; } = null!;
    /// <summary>The AppHost's own chain; a run with <c>Infra:Chain=network</c> has none.</summary>
    public Web3 Devnet => _devnet ?? throw new InvalidOperationException("This run has no local chain (Infra:Chain=network).");

    private Web3? _devnet;

    /// <summary>Starts the AppHost on <paramref name="dataDirectory"/> and signs in as the operator; ready when the Gateway is healthy.</summary>
    public static Task<SystemRun> StartAsync(string dataDirectory, params string[] settings) => StartAsync(dataDirectory, _ => { }, settings);

    /// <summary>As above, with <paramref name="configure"/> given the builder before it builds (e.g. to change resources' environment).</summary>
    public static async Task<SystemRun> StartAsync(string dataDirectory, Action<IDistributedApplicationTestingBuilder> configure, params string[] settings)
    {
        using var turn = await SystemStarts.TakeTurnAsync();
        using var cts = new CancellationTokenSource(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.OpenMcpChain_AppHost>(
            ["--Infra:Mode=executables", $"--Data:Directory={dataDirectory}", "--Logging:LogLevel:Default=Warning",
             "--Anchoring:Interval=00:00:02", .. settings], cts.Token);
        builder.Services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None));
        configure(builder);
        var run = new SystemRun(await builder.BuildAsync(cts.Token));
        await run.App.StartAsync(cts.Token);
        await run.App.ResourceNotifications.WaitForResourceHealthyAsync("gateway", cts.Token);
        run.Gateway = run.CreateClient("gateway");
        run.Client = new OpenMcpChainClient(run.Gateway);
        await run.Client.AuthenticateAsync("operator", await run.ParameterAsync("gateway-operator-password"), ct: cts.Token);
        if (builder.Resources.Any(r => r.Name == "devnet"))
            run._devnet = new Web3(run.App.GetEndpoint("devnet", "http").ToString());
        return run;
    }

    public HttpClient CreateClient(string resource) => App.CreateHttpClient(resource, "http");

    /// <summary>The value of an AppHost parameter (e.g. a generated caller key).</summary>
    public async Task<string> ParameterAsync(string name) =>
        (await App.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<ParameterResource>()
            .Single(p => p.Name == name).GetValueAsync(default))!;

    /// <summary>ChainService as its operator (the caller allowed to approve parked writes).</summary>
    public async Task<HttpClient> ChainOperatorAsync()
    {
        var client = CreateClient("chainservice");
        client.DefaultRequestHeaders.Authorization = new("Bearer", await ParameterAsync("chain-operator-key"));
        return client;
    }

    /// <summary>Polls until <paramref name="condition"/> holds; fails the test naming <paramref name="what"/> after the deadline.</summary>
    public async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + WaitTimeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Waited {WaitTimeout.TotalSeconds:0} s for {what}.");
            await Task.Delay(200);
        }
    }

    public async Task<TaskResponse> WaitForStatusAsync(string taskId, string status)
    {
        TaskResponse task = null!;
        await WaitUntilAsync(async () => (task = await Client.GetTaskAsync(taskId)).Status == status, $"task {taskId} to be {status}");
        return task;
    }

    /// <summary>Waits until the finished task's provenance names its anchor (its provenance is final from then on).</summary>
    public async Task<TaskResponse> WaitForAnchoredAsync(string taskId)
    {
        TaskResponse task = null!;
        await WaitUntilAsync(async () => (task = await Client.GetTaskAsync(taskId)).Result?.Provenance?.Anchor is not null,
            $"task {taskId} to be anchored");
        return task;
    }

    public async ValueTask DisposeAsync()
    {
        Gateway?.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
