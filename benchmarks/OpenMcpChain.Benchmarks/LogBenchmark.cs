using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Nethereum.Hex.HexConvertors.Extensions;
using OpenMcpChain.Sdk.Proofs;

namespace OpenMcpChain.Benchmarks;

/// <summary>Durable log appends (one writer, then many), inclusion-proof latency, and offline verifications per second.</summary>
public static class LogBenchmark
{
    public static async Task RunAsync(Uri proofService, int sequential, TimeSpan duration, long fillTo)
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

        var (small, _, _, _) = await ProveAtHeadAsync(http, sequential, duration);
        if (fillTo > 0) await FillAsync(http, fillTo);
        var (prove, size, root, last) = await ProveAtHeadAsync(http, sequential, duration);

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
        Console.WriteLine($"ratio inclusion proof p50 at {size} / at the smaller size: {prove.P50 / small.P50:0.00}x");
    }

    private static async Task<(Measure Proof, long Size, byte[] Root, JsonElement Last)> ProveAtHeadAsync(HttpClient http, int sequential, TimeSpan duration)
    {
        var head = await http.GetFromJsonAsync<JsonElement>("/api/log/tree-head");
        var size = head.GetProperty("tree_size").GetInt64();
        var root = head.GetProperty("root").GetString()!.HexToByteArray();
        var random = new Random(7);
        JsonElement last = default;
        async Task ProveAsync() => last = await http.GetFromJsonAsync<JsonElement>($"/api/log/proofs/inclusion?index={random.NextInt64(size)}&tree_size={size}");
        var prove = await Measure.RunAsync($"inclusion proof @ {size}", ProveAsync, sequential, duration, concurrency: 8);
        return (prove, size, root, last);
    }

    /// <summary>Grows the log to <paramref name="target"/> entries with batch appends (1000 per request, 4 in flight).</summary>
    private static async Task FillAsync(HttpClient http, long target)
    {
        var size = (await http.GetFromJsonAsync<JsonElement>("/api/log/tree-head")).GetProperty("tree_size").GetInt64();
        var remaining = target - size;
        var clock = Stopwatch.StartNew();
        var filled = 0L;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            while (Interlocked.Add(ref remaining, -1000) > -1000)
            {
                var entries = Enumerable.Range(0, 1000).Select(i => new { kind = "fill", n = i, at = Interlocked.Read(ref filled) }).ToArray();
                using var response = await http.PostAsJsonAsync("/api/log/entries/batch", new { entries });
                response.EnsureSuccessStatusCode();
                var done = Interlocked.Add(ref filled, 1000);
                if (done % 100_000 == 0) Console.WriteLine($"  filled {done:N0} entries, {done / clock.Elapsed.TotalSeconds:0} appends/s");
            }
        }));
        Console.WriteLine($"{"fill (batches of 1000)",-24} {filled / clock.Elapsed.TotalSeconds,8:0} durable appends/s over {filled:N0} entries");
    }
}
