using System.Diagnostics;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Xunit.Abstractions;

namespace OpenMcpChain.Tests;

/// <summary>
/// Redis or MariaDB killed and started again while about fifty tasks are in flight: the services ride it out on their
/// own (reconnecting, retrying), no acknowledged task is lost and no transfer is sent twice.
/// </summary>
[Collection(RestartCollection.Name)]
public sealed class ServerRestartTests(ServerRestartTests.Fixture system, ITestOutputHelper output) : IClassFixture<ServerRestartTests.Fixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);
    // How long the server stays down: longer than a client library's own patience (StackExchange.Redis queues commands
    // for 5 s), as a restart that recovers its data takes.
    private static readonly TimeSpan Down = TimeSpan.FromSeconds(8);

    [Fact]
    public Task RedisKilledAndRestartedUnderLoadLosesNoTaskAndSendsNothingTwice() => KillUnderLoadAsync("redis");

    [Fact]
    public Task MariaDbKilledAndRestartedUnderLoadLosesNoTaskAndSendsNothingTwice() => KillUnderLoadAsync("mysql");

    private async Task KillUnderLoadAsync(string server)
    {
        var run = system.Run;
        var load = new TaskLoad();
        await load.SubmitAsync(run.Client, transfers: 30, reads: 20);
        Assert.Equal(50, load.Acknowledged);
        // The server goes while most of the fifty are still pending or running.
        await run.WaitUntilAsync(async () => (await load.ListAsync(run.Client)).Values.Count(t => Sdk.Contracts.TaskStatuses.IsFinal(t.Status)) >= 3,
            "the first tasks to finish");

        var inFlight = (await load.ListAsync(run.Client)).Values.Count(t => !Sdk.Contracts.TaskStatuses.IsFinal(t.Status));
        var clock = Stopwatch.StartNew();
        var restart = KillAndStartAsync(server);
        // Tasks keep coming while it is away; those answered 202 count like the others.
        var during = Enumerable.Range(0, 6).Select(i => load.SubmitOneAsync(run.Client, isTransfer: i % 2 == 0)).ToList();
        var outage = await restart;
        await Task.WhenAll(during);
        var figures = await load.SettleAsync(run.Client, run.Devnet, Deadline);
        var recovered = clock.Elapsed - outage;

        output.WriteLine($"{server} killed with {inFlight} tasks in flight: {figures}; down for {outage.TotalSeconds:0.0} s (SIGKILL to healthy), " +
                         $"every task final {recovered.TotalSeconds:0.0} s after it was back");
        foreach (var problem in figures.Problems) output.WriteLine(problem);
        Assert.Equal(0, figures.Lost);
        Assert.Equal(0, figures.DuplicatedSends);
        Assert.Empty(figures.Problems);
    }

    /// <summary>
    /// SIGKILL to the server (for MariaDB the mariadbd under its wrapper script, which then exits), then, after
    /// <see cref="Down"/>, the AppHost's start command; returns the time from the kill until the new process is healthy.
    /// </summary>
    private async Task<TimeSpan> KillAndStartAsync(string resource)
    {
        var app = system.Run.App;
        using var cts = new CancellationTokenSource(Deadline);
        var before = await app.ResourceNotifications.WaitForResourceAsync(resource, e => Pid(e) is not null, cts.Token);
        var pid = Pid(before)!.Value;
        var children = ProcessTree.Of(pid).Where(p => p != pid).ToList();
        var clock = Stopwatch.StartNew();
        ProcessTree.KillAtOnce(children.Count > 0 ? children : [pid]);
        await app.ResourceNotifications.WaitForResourceAsync(resource, [KnownResourceStates.Exited, KnownResourceStates.Finished], cts.Token);
        await Task.Delay(Down - clock.Elapsed is { Ticks: > 0 } rest ? rest : TimeSpan.Zero, cts.Token);
        var started = await app.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(resource, KnownResourceCommands.StartCommand, cts.Token);
        Assert.True(started.Success, $"Starting {resource} again failed: {started.Message}");
        await app.ResourceNotifications.WaitForResourceAsync(resource, e => Pid(e) is { } p && p != pid
            && e.Snapshot.State?.Text == KnownResourceStates.Running && e.Snapshot.HealthStatus == HealthStatus.Healthy, cts.Token);
        return clock.Elapsed;
    }

    private static int? Pid(ResourceEvent e) =>
        e.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } value && int.TryParse(value.ToString(), out var pid) ? pid : null;

    /// <summary>One system for both servers' tests, on a data directory of its own.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        private readonly string _data = Directory.CreateTempSubdirectory("openmcp-servers-").FullName;
        public SystemRun Run { get; private set; } = null!;

        public async Task InitializeAsync() => Run = await SystemRun.StartAsync(_data);

        public async Task DisposeAsync()
        {
            if (Run is not null) await Run.DisposeAsync();
            Directory.Delete(_data, recursive: true);
        }
    }
}
