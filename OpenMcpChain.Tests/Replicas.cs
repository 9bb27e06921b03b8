using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OpenMcpChain.Tests;

/// <summary>One running copy of a replicated service, reached directly instead of through the AppHost's balancing proxy.</summary>
public sealed record Replica(string Id, int ProcessId, Uri Url)
{
    public HttpClient CreateClient(string? apiKey = null)
    {
        var client = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(90) };
        if (apiKey is not null) client.DefaultRequestHeaders.Authorization = new("Bearer", apiKey);
        return client;
    }
}

/// <summary>Finds a service's replicas from the AppHost's resource snapshots: each has its own process and listening address.</summary>
public static class Replicas
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    /// <summary>Waits until <paramref name="count"/> replicas of <paramref name="resource"/> run and are healthy; fails after the deadline.</summary>
    public static async Task<IReadOnlyList<Replica>> ReplicasAsync(this SystemRun run, string resource, int count)
    {
        using var cts = new CancellationTokenSource(Timeout);
        var found = new Dictionary<string, Replica>();
        try
        {
            await foreach (var e in run.App.ResourceNotifications.WatchAsync(cts.Token))
            {
                if (e.Resource.Name != resource) continue;
                found.Remove(e.ResourceId);
                if (e.Snapshot.State?.Text == KnownResourceStates.Running && e.Snapshot.HealthStatus == HealthStatus.Healthy
                    && ListeningUrl(e.Snapshot) is { } url && ProcessId(e.Snapshot) is { } pid)
                    found[e.ResourceId] = new Replica(e.ResourceId, pid, url);
                if (found.Count == count)
                {
                    // The resource's health is its proxy's: one replica answering makes every copy look healthy. A copy that
                    // is still starting (migrations, seeding) is not there yet until its own address answers.
                    foreach (var replica in found.Values) await AnswersAsync(replica, cts.Token);
                    return [.. found.Values.OrderBy(r => r.Id)];
                }
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
        }
        Assert.Fail($"Waited {Timeout.TotalSeconds:0} s for {count} healthy replicas of {resource}; found {found.Count}.");
        return [];
    }

    private static async Task AnswersAsync(Replica replica, CancellationToken ct)
    {
        using var http = replica.CreateClient();
        while (true)
        {
            try
            {
                if ((await http.GetAsync("/health", ct)).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(200, ct);
        }
    }

    /// <summary>What the replica's process wrote to its console so far (its logs), one line each.</summary>
    public static async Task<List<string>> LogsAsync(this SystemRun run, Replica replica)
    {
        using var cts = new CancellationTokenSource(Timeout);
        var lines = new List<string>();
        await foreach (var batch in run.App.Services.GetRequiredService<ResourceLoggerService>().GetAllAsync(replica.Id).WithCancellation(cts.Token))
            lines.AddRange(batch.Select(l => l.Content));
        return lines;
    }

    // The replica's own address: DCP gives each copy its own port and passes it in ASPNETCORE_URLS.
    private static Uri? ListeningUrl(CustomResourceSnapshot snapshot) =>
        snapshot.EnvironmentVariables.FirstOrDefault(v => v.Name == "ASPNETCORE_URLS")?.Value?.Split(';')
            .FirstOrDefault(u => u.StartsWith("http://", StringComparison.Ordinal)) is { } url ? new Uri(url) : null;

    private static int? ProcessId(CustomResourceSnapshot snapshot) =>
        snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value switch
        {
            int pid => pid,
            long pid => (int)pid,
            string s when int.TryParse(s, out var pid) => pid,
            _ => null,
        };
}
