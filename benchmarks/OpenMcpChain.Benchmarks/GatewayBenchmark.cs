using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Benchmarks;

/// <summary>
/// The Gateway's price (issue 15, P5): <c>GET /api/v1/tasks/{id}</c> of one finished, anchored task through the Gateway
/// (token validation, scope check, rate limit, YARP forward) against the same request straight to AgentService, in one run.
/// </summary>
public static class GatewayBenchmark
{
    public static async Task RunAsync(Uri gateway, Uri agentService, string operatorPassword, int sequential, TimeSpan duration)
    {
        using var viaGateway = new HttpClient { BaseAddress = gateway };
        var client = new OpenMcpChainClient(viaGateway);
        await client.AuthenticateAsync("operator", operatorPassword);
        var accepted = await client.CreateTaskAsync(new CreateTaskRequest("What is the latest block number?"));
        // Anchored: its provenance is stored as final, so a read is one row, not a fresh proof from ProofService.
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while ((await client.GetTaskAsync(accepted.TaskId)).Result?.Provenance?.Anchor is null)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the task was not anchored within 2 minutes");
            await Task.Delay(500);
        }
        var path = $"/api/v1/tasks/{accepted.TaskId}";
        using var direct = new HttpClient { BaseAddress = agentService };
        async Task GetAsync(HttpClient http)
        {
            using var response = await http.GetAsync(path);
            response.EnsureSuccessStatusCode();
            await response.Content.ReadAsByteArrayAsync();
        }

        Console.WriteLine($"One anchored task; {sequential} sequential GETs and {duration.TotalSeconds:0} s at concurrency 8 for each path.");
        var straight = await Measure.RunAsync("AgentService GET task", () => GetAsync(direct), sequential, duration, concurrency: 8);
        var through = await Measure.RunAsync("Gateway GET task", () => GetAsync(viaGateway), sequential, duration, concurrency: 8);
        Console.WriteLine();
        Console.WriteLine($"ratio Gateway/AgentService: p50 latency {through.P50 / straight.P50:0.00}x, " +
                          $"throughput {through.Throughput / straight.Throughput:0.00}x (goal ≥ 0.5x)");
    }
}
