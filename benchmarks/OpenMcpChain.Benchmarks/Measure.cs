using System.Diagnostics;

namespace OpenMcpChain.Benchmarks;

/// <summary>
/// Latency percentiles from sequential calls, throughput from concurrent ones, and what a call cost each program in CPU
/// during the concurrent phase (<see cref="ProcessCpu"/>): where a path's price is paid, not only how long it takes.
/// </summary>
public sealed record Measure(string Name, double P50, double P99, double Throughput)
{
    /// <summary>Warm: the system's tiered compilation used at most this share of one core over <see cref="JitWindow"/>.</summary>
    private const double SettledJitShare = 0.05;
    private static readonly TimeSpan JitWindow = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxWarmUp = TimeSpan.FromMinutes(5);

    public static async Task<Measure> RunAsync(string name, Func<Task> call, int sequential, TimeSpan duration, int concurrency)
    {
        await WarmUpAsync(name, call, concurrency);

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

    /// <summary>
    /// Calls <paramref name="call"/> 50 times and for at least 3 s, then at <paramref name="concurrency"/> until the
    /// system's JIT has settled: on two cores, tiered compilation of every service's hot paths takes a minute and more
    /// under load and half the CPU meanwhile, so a figure taken earlier is the warm-up's, not the path's.
    /// </summary>
    public static async Task WarmUpAsync(string name, Func<Task> call, int concurrency)
    {
        var warming = Stopwatch.StartNew();
        for (var i = 0; i < 50 || warming.Elapsed < TimeSpan.FromSeconds(3); i++) await call();
        var settled = false;
        using (var warm = new CancellationTokenSource())
        {
            var load = Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
            {
                while (!warm.IsCancellationRequested) await call();
            }));
            while (!settled && warming.Elapsed < MaxWarmUp)
                settled = await ProcessCpu.JitAsync(JitWindow) <= JitWindow.TotalMilliseconds * SettledJitShare;
            await warm.CancelAsync();
            await load;
        }
        Console.WriteLine($"{name,-24} warmed up for {warming.Elapsed.TotalSeconds:0} s" +
                          (settled ? "" : $"; tiered JIT still above {SettledJitShare:P0} of a core after {MaxWarmUp.TotalMinutes:0} min"));
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
