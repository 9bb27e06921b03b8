using System.Text.RegularExpressions;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;
using Xunit.Abstractions;

namespace OpenMcpChain.Tests;

/// <summary>
/// The telemetry an operator reads, read back the way the dashboard gets it: every resource exports OTLP to a receiver
/// in this process. One task is one trace across all five processes, model turns carry their tokens, the task metric
/// moves, and an idle system stays quiet.
/// </summary>
public sealed partial class TelemetryTests(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>The most traces an idle system may start in a minute (the issue's "a few"; before: about 3,000).</summary>
    private const int IdleTracesPerMinute = 6;
    private const string TaskTelemetryTag = "openmcpchain.task_id";
    private static readonly TimeSpan SpanWait = TimeSpan.FromSeconds(30);
    private readonly string _data = Directory.CreateTempSubdirectory("openmcp-telemetry-").FullName;
    private readonly OtlpReceiver _receiver = new();
    private SystemRun _run = null!;

    public async Task InitializeAsync() => _run = await SystemRun.StartAsync(_data, _receiver.ReceiveFrom,
        "--Anchoring:Interval=00:00:30"); // the AppHost's default: what an idle system does between anchors

    [Fact]
    public async Task OneTaskIsOneTraceAcrossEveryServiceAndAnIdleMinuteIsQuiet()
    {
        var agent = _run.CreateClient("agentservice");
        var succeededBefore = TasksMetric(await agent.GetStringAsync("/metrics"), TaskStatuses.Succeeded);

        // A caller cannot file requests under a task id of its choosing: the public edge drops one sent as baggage or header.
        // A caller's trace context is joined, but one marked "not sampled" does not switch the system's tracing off. The
        // caller's request is written to the Gateway's socket as given: an HttpClient of this process would pass through
        // the OpenTelemetry instrumentation an in-process ChainService of another test class installs here, which may put
        // this process's trace context in place of the caller's (a full run showed it even with no activity propagator).
        const string Forged = "forged-by-a-caller";
        var (callerTrace, callerSpan) = (System.Diagnostics.ActivityTraceId.CreateRandom().ToHexString(), System.Diagnostics.ActivitySpanId.CreateRandom().ToHexString());
        var taskId = await CreateTaskAsCallerAsync(_run.Gateway.BaseAddress!, _run.Gateway.DefaultRequestHeaders.Authorization!.ToString(),
            "What is the latest block number?", ("baggage", $"{TaskTelemetryTag}={Forged}"), ("X-Task-Id", Forged), ("traceparent", $"00-{callerTrace}-{callerSpan}-00"));
        var task = await _run.Client.FinishedAsync(taskId, TimeSpan.FromSeconds(90));
        Assert.True(task.Status == TaskStatuses.Succeeded, $"task ended {task.Status}: {task.Error}");

        // The run's span carries the task id; its trace must hold every service's spans.
        var run = await WaitForAsync(s => s.Name == "task run" && s.Attributes.GetValueOrDefault(TaskTelemetryTag) == taskId,
            () => $"the task's run span (spans tagged with the task: {string.Join(", ", _receiver.Spans.Where(s => s.Attributes.GetValueOrDefault(TaskTelemetryTag) == taskId).Select(s => $"{s.Service}:{s.Name}").Distinct())})");
        var services = new[] { "gateway", "agentservice", "llm-bridge", "chainservice", "proofservice" };
        // Each service exports its spans in batches (every second): wait for every service's, and for the attestation, the
        // run's last step, whose batch may come a second after the first ones of its service.
        await WaitForAsync(() => services.All(name => _receiver.Spans.Any(s => s.TraceId == run.TraceId && s.Service == name))
                                 && _receiver.Spans.Any(s => s.TraceId == run.TraceId && s.Service == "proofservice" && s.Name == "attestation"),
            () => $"spans of {string.Join(", ", services)} and the attestation in trace {run.TraceId}; it has {Describe(run.TraceId)}");
        var trace = _receiver.Spans.Where(s => s.TraceId == run.TraceId).ToList();
        output.WriteLine($"Task {taskId}: trace {run.TraceId} with {trace.Count} spans: {Describe(run.TraceId)}");
        Assert.Equal(callerTrace, run.TraceId); // the caller's trace, entered at the public request
        Assert.Contains(trace, s => s.Service == "gateway" && s.ParentSpanId == callerSpan);
        Assert.All(trace.Where(s => s.Attributes.ContainsKey(TaskTelemetryTag)), s => Assert.Equal(taskId, s.Attributes[TaskTelemetryTag]));
        Assert.Contains(trace, s => s.Service == "agentservice" && s.Name.StartsWith("POST", StringComparison.Ordinal));
        Assert.Contains(trace, s => s.Service == "chainservice" && s.Attributes.GetValueOrDefault("openmcpchain.tool") == "get_chain_info");
        Assert.Contains(trace, s => s.Service == "proofservice" && s.Name == "attestation");
        // Each model turn (the agent's side and llm-bridge's planner) carries its token counts.
        var turns = trace.Where(s => s.Service == "agentservice" && s.Name == "model turn").ToList();
        Assert.NotEmpty(turns);
        Assert.All(turns, t => Assert.True(long.Parse(t.Attributes["gen_ai.usage.input_tokens"]) > 0, "a model turn's span has no input token count"));
        var plans = trace.Where(s => s.Service == "llm-bridge" && s.Name == "plan").ToList();
        Assert.Equal(turns.Count, plans.Count);
        Assert.All(plans, p => Assert.True(long.Parse(p.Attributes["gen_ai.usage.output_tokens"]) > 0, "a planner span has no output token count"));

        // The Prometheus text counts the task by its final status.
        await WaitForAsync(async () => TasksMetric(await agent.GetStringAsync("/metrics"), TaskStatuses.Succeeded) > succeededBefore,
            () => "openmcpchain_tasks_total{status=\"succeeded\"} to move");

        // Every service serves its metrics as Prometheus text, except the public Gateway (not configured to).
        Assert.Contains("openmcpchain_log_appends", await _run.CreateClient("proofservice").GetStringAsync("/metrics"));
        Assert.Contains("openmcpchain_chain_tool_calls", await _run.CreateClient("chainservice").GetStringAsync("/metrics"));
        using var gatewayMetrics = await _run.Gateway.GetAsync("/metrics");
        Assert.DoesNotContain("# TYPE", await gatewayMetrics.Content.ReadAsStringAsync());

        // Idle: let the task's own work settle, then count the traces started in one minute.
        await Task.Delay(TimeSpan.FromSeconds(5));
        var from = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromMinutes(1));
        await Task.Delay(TimeSpan.FromSeconds(2)); // the last exports of the minute
        var idle = _receiver.Spans.Where(s => s.Start >= from && s.Start < from.AddMinutes(1)).GroupBy(s => s.TraceId).ToList();
        output.WriteLine($"Traces started in an idle minute: {idle.Count}");
        foreach (var started in idle) output.WriteLine($"  {string.Join(", ", started.Select(s => $"{s.Service}:{s.Name}").Distinct())}");
        Assert.True(idle.Count <= IdleTracesPerMinute,
            $"{idle.Count} traces in an idle minute: {string.Join("; ", idle.Select(g => string.Join(",", g.Select(s => $"{s.Service}:{s.Name}").Distinct().Take(4))))}");
    }

    private string Describe(string traceId) =>
        string.Join(", ", _receiver.Spans.Where(s => s.TraceId == traceId).Select(s => $"{s.Service}:{s.Name}").Distinct());

    private static double TasksMetric(string prometheus, string status) =>
        TasksLine().Matches(prometheus).Where(m => m.Groups["labels"].Value.Contains($"status=\"{status}\"", StringComparison.Ordinal))
            .Sum(m => double.Parse(m.Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture));

    [GeneratedRegex(@"^openmcpchain_tasks(?:_total)?\{(?<labels>[^}]*)\} (?<value>\S+)", RegexOptions.Multiline)]
    private static partial Regex TasksLine();

    private async Task<ReceivedSpan> WaitForAsync(Func<ReceivedSpan, bool> match, Func<string> what)
    {
        ReceivedSpan? found = null;
        await WaitForAsync(() => (found = _receiver.Spans.FirstOrDefault(match)) is not null, what);
        return found!;
    }

    private Task WaitForAsync(Func<bool> condition, Func<string> what) => WaitForAsync(() => Task.FromResult(condition()), what);

    private async Task WaitForAsync(Func<Task<bool>> condition, Func<string> what)
    {
        var deadline = DateTime.UtcNow + SpanWait;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Waited {SpanWait.TotalSeconds:0} s for {what()}. The receiver had {_receiver.Summary()}.");
            await Task.Delay(250);
        }
    }

    public async Task DisposeAsync()
    {
        if (_run is not null) await _run.DisposeAsync();
        await _receiver.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    /// <summary>
    /// <c>POST /api/v1/tasks</c> as bytes on a socket (HTTP/1.0, so the answer ends with the connection): exactly the
    /// headers given, whatever instrumentation this process runs. Returns the accepted task's id.
    /// </summary>
    private static async Task<string> CreateTaskAsCallerAsync(Uri gateway, string authorization, string goal, params (string Name, string Value)[] headers)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var body = System.Text.Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(new { goal }));
        var head = new System.Text.StringBuilder($"POST /api/v1/tasks HTTP/1.0\r\nHost: {gateway.Authority}\r\nAuthorization: {authorization}\r\n" +
                                                 $"Content-Type: application/json\r\nContent-Length: {body.Length}\r\n");
        foreach (var (name, value) in headers) head.Append($"{name}: {value}\r\n");
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(gateway.Host, gateway.Port, deadline.Token);
        var stream = tcp.GetStream();
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(head.Append("\r\n").ToString()), deadline.Token);
        await stream.WriteAsync(body, deadline.Token);
        using var answer = new MemoryStream();
        await stream.CopyToAsync(answer, deadline.Token);
        var text = System.Text.Encoding.UTF8.GetString(answer.ToArray());
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(split > 0 && text.Split(' ', 3)[1].StartsWith('2'), $"the Gateway answered: {text}");
        return System.Text.Json.JsonDocument.Parse(text[(split + 4)..]).RootElement.GetProperty("task_id").GetString()!;
    }
}
