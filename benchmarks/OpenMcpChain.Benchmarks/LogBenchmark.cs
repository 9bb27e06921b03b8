using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Nethereum.Hex.HexConvertors.Extensions;
using OpenMcpChain.Sdk.Proofs;

namespace OpenMcpChain.Benchmarks;

/// <summary>Durable log appends (one writer, then many), inclusion-proof latency, and offline verifications per second.</summary>
public static class LogBenchmark
{
    public static async Task RunAsync(Uri proofService, int sequential, TimeSpan duration)
    {
        using var http = new HttpClient { BaseAddress = proofService };
        var n = 0;
        async Task AppendAsync()
        {
            using var response = await http.PostAsJsonAsync("/api/log/entries", new { kind = "bench", n = Interlocked.Increment(ref n) });
            response.EnsureSuccessStatusCode();
        }
        var single = await Measure.RunAsync("append, 1 writer", AppendAsync, sequential, duration, concurrency: 1);
        var many = await Measure.RunAsync("append, 64 writers", AppendAsync, sequential, duration, concurrency: 64);

        var head = await http.GetFromJsonAsync<JsonElement>("/api/log/tree-head");
        var size = head.GetProperty("tree_size").GetInt64();
        var root = head.GetProperty("root").GetString()!.HexToByteArray();
        var random = new Random(7);
        JsonElement last = default;
        async Task ProveAsync() => last = await http.GetFromJsonAsync<JsonElement>($"/api/log/proofs/inclusion?index={random.NextInt64(size)}&tree_size={size}");
        var prove = await Measure.RunAsync($"inclusion proof @ {size}", ProveAsync, sequential, duration, concurrency: 8);

        var leaf = last.GetProperty("leaf_hash").GetString()!.HexToByteArray();
        var index = last.GetProperty("index").GetInt64();
        var path = last.GetProperty("path").EnumerateArray().Select(p => p.GetString()!.HexToByteArray()).ToList();
        var verifications = 0L;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(2))
        {
            if (!MerkleProof.VerifyInclusion(index, size, leaf, path, root)) throw new InvalidOperationException("proof did not verify");
            verifications++;
        }
        Console.WriteLine($"{"offline verification",-24} {verifications / clock.Elapsed.TotalSeconds,8:0} verifications/s (one core, path of {path.Count})");
        Console.WriteLine();
        Console.WriteLine($"ratio 64 writers / 1 writer: {many.Throughput / single.Throughput:0.0}x appends/s (batched commits)");
    }
}
