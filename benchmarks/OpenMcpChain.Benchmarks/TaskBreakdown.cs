using System.Diagnostics;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;
using OpenMcpChain.Tests;

namespace OpenMcpChain.Benchmarks;

/// <summary>
/// Where one task's time goes — a read-only one, or one that sends a transfer — from its own trace: N tasks run one after another, every service exports its
/// spans to a receiver in this process, and each hop (service and span name) is printed with its median start within
/// the task's trace and its median duration, nested as the spans are. The trace starts at the Gateway's request.
/// </summary>
public static class TaskBreakdown
{
    private const string TaskTag = "openmcpchain.task_id";

    public static async Task RunAsync(Uri gateway, string operatorPassword, OtlpReceiver receiver, int count, bool writes)
    {
        var goal = writes ? TaskBenchmark.WriteGoal(Nethereum.Signer.EthECKey.GenerateKey().GetPublicAddress()) : TaskBenchmark.ReadGoal;
        using var http = new HttpClient { BaseAddress = gateway };
        var client = new OpenMcpChainClient(http);
        await client.AuthenticateAsync("operator", operatorPassword);
        await Measure.WarmUpAsync("tasks", async () =>
            TaskBenchmark.Done(await TaskBenchmark.FinishedAsync(client, (await client.CreateTaskAsync(new CreateTaskRequest(goal))).TaskId), writes), concurrency: 8);

        var ids = new List<string>();
        var wall = new List<double>();
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var accepted = await client.CreateTaskAsync(new CreateTaskRequest(goal));
            TaskBenchmark.Done(await TaskBenchmark.FinishedAsync(client, accepted.TaskId), writes);
            wall.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            ids.Add(accepted.TaskId);
        }

        // Every task's trace, once the exporters have sent it (they batch every 500 ms).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        Dictionary<string, List<ReceivedSpan>> traces;
        while (true)
        {
            var spans = receiver.Spans.ToList();
            var traceOf = spans.Where(s => s.Name == "task run" && s.Attributes.TryGetValue(TaskTag, out var id) && ids.Contains(id))
                .GroupBy(s => s.Attributes[TaskTag]).ToDictionary(g => g.Key, g => g.First().TraceId);
            traces = traceOf.ToDictionary(t => t.Key, t => spans.Where(s => s.TraceId == t.Value).ToList());
            if (traces.Count == ids.Count && traces.Values.All(t => t.Any(s => s.Name == "attestation"))) break;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"only {traces.Count} of {ids.Count} task traces arrived");
            await Task.Delay(500);
        }

        // Each hop by its path of names from the trace's root, so nested spans show under their parents.
        var hops = new Dictionary<string, List<(double Start, double Duration)>>();
        var totals = new List<double>();
        foreach (var spans in traces.Values)
        {
            var origin = spans.Min(s => s.Start);
            totals.Add((spans.Max(s => s.End) - origin).TotalMilliseconds);
            var byId = spans.ToDictionary(s => s.SpanId);
            foreach (var span in spans)
            {
                var path = new List<string>();
                for (var s = span; s is not null; s = s.ParentSpanId is { } p ? byId.GetValueOrDefault(p) : null)
                    path.Insert(0, $"{s.Service}: {s.Name}");
                var key = string.Join(" > ", path);
                (hops.TryGetValue(key, out var list) ? list : hops[key] = []).Add(((span.Start - origin).TotalMilliseconds, (span.End - span.Start).TotalMilliseconds));
            }
        }

        Console.WriteLine($"{count} {(writes ? "write" : "read-only")} tasks, one at a time: client wall time p50 {Median(wall):0.0} ms; " +
                          $"trace (first span start to last span end) p50 {Median(totals):0.0} ms");
        Console.WriteLine($"{"start",8} {"took",8} {"per task",8}  hop (median over {count} tasks; nested under its parent)");
        foreach (var (key, list) in hops.OrderBy(h => Median(h.Value.Select(v => v.Start).ToList())))
        {
            var depth = key.Count(c => c == '>');
            var name = key[(key.LastIndexOf('>') + 1)..].Trim();
            Console.WriteLine($"{Median(list.Select(v => v.Start).ToList()),8:0.0} {Median(list.Select(v => v.Duration).ToList()),8:0.0} " +
                              $"{list.Count / (double)count,8:0.##}  {new string(' ', depth * 2)}{name}");
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted[sorted.Count / 2];
    }
}
