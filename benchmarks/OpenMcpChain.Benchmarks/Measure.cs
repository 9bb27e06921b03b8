using System.Diagnostics;

namespace OpenMcpChain.Benchmarks;

/// <summary>
/// Latency percentiles from sequential calls, throughput from concurrent ones, and what a call cost each program in CPU
/// during the concurrent phase (<see cref="ProcessCpu"/>): where a path's price is paid, not only how long it takes.
/// </summary>
public sealed record Measure(string Name, double P50, double P99, double Throughput)
{
    public static async Task<Measure> RunAsync(string name, Func<Task> call, int sequential, TimeSpan duration, int concurrency)
    {
        // Warm up for 50 calls and at least 3 s, so tiered JIT has finished with the path on both sides of the comparison.
        var warming = Stopwatch.StartNew();
        for (var i = 0; i < 50 || warming.Elapsed < TimeSpan.FromSeconds(3); i++) await call();

        var latencies = new double[sequential];
        for (var i = 0; i < sequential; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await call();
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(latencies);

        long completed = 0;
        var stop = Stopwatch.StartNew();
        var cpu = await ProcessCpu.CountAsync(() => Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (stop.Elapsed < duration)
            {
                await call();
                Interlocked.Increment(ref completed);
            }
        })));
        var result = new Measure(name, Percentile(latencies, 0.50), Percentile(latencies, 0.99), completed / stop.Elapsed.TotalSeconds);
        Console.WriteLine($"{name,-24} p50 {result.P50,7:0.000} ms  p99 {result.P99,7:0.000} ms  {result.Throughput,8:0} calls/s (concurrency {concurrency})");
        var perCall = cpu.Where(c => c.Value > 0).OrderByDescending(c => c.Value).Select(c => $"{c.Key} {c.Value / Math.Max(1, completed):0.000}");
        Console.WriteLine($"{"",-24} CPU ms per call: {string.Join(", ", perCall)}");
        return result;
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
