using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Aspire.Hosting.Testing;

namespace OpenMcpChain.Tests;

/// <summary>
/// Extra AgentService instances as real OS processes (so one can be killed outright), on their own database and their
/// own Redis, sharing the system's ChainService, ProofService and devnet.
/// </summary>
public sealed class AgentProcess : IAsyncDisposable
{
    private readonly Process _process;
    public HttpClient Api { get; }

    private AgentProcess(Process process, Uri url)
    {
        _process = process;
        Api = new HttpClient { BaseAddress = url };
    }

    /// <summary>Starts an instance; <paramref name="settings"/> (environment variables) add to or replace its defaults.</summary>
    public static async Task<AgentProcess> StartAsync(SystemFixture system, string database, int redisPort, Uri llmEndpoint,
        IReadOnlyDictionary<string, string>? settings = null)
    {
        var port = Ports.Free();
        var agentDb = (await system.App.GetConnectionStringAsync("agentdb"))!.Replace("Database=agentdb", $"Database={database}");
        var dll = Path.Combine(Path.GetDirectoryName(new Projects.OpenMcpChain_AgentService().ProjectPath)!, "bin", Configuration, "net10.0", "OpenMcpChain.AgentService.dll");
        var start = new ProcessStartInfo("dotnet", [dll]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (key, value) in new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["ConnectionStrings__agentdb"] = agentDb,
            ["ConnectionStrings__redis"] = $"127.0.0.1:{redisPort},abortConnect=false,connectTimeout=1000",
            ["services__chainservice__http__0"] = system.App.GetEndpoint("chainservice", "http").ToString(),
            ["services__proofservice__http__0"] = system.App.GetEndpoint("proofservice", "http").ToString(),
            ["Agent__LlmEndpoint"] = new Uri(llmEndpoint, "/v1").ToString(),
            ["Agent__ChainApiKey"] = await system.ParameterAsync("chain-agent-key"),
            ["Agent__Concurrency"] = "1",
            ["Agent__ReclaimAfter"] = "00:00:04",
            ["Agent__SweepInterval"] = "00:00:01",
            ["Logging__LogLevel__Default"] = "Warning",
        }.Concat(settings ?? new Dictionary<string, string>()))
        {
            start.Environment[key] = value;
        }
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var agent = new AgentProcess(process, new Uri($"http://127.0.0.1:{port}"));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            Assert.False(process.HasExited, "The AgentService process exited while starting.");
            try
            {
                // Migrated and serving (its /health also needs Redis, which some tests keep away on purpose).
                if ((await agent.Api.GetAsync("/api/v1/tasks/stats")).IsSuccessStatusCode) return agent;
            }
            catch (HttpRequestException)
            {
            }
            Assert.True(DateTime.UtcNow < deadline, "The AgentService process did not start.");
            await Task.Delay(250);
        }
    }

    /// <summary>SIGTERM: the host shuts down gracefully; returns the exit code.</summary>
    public async Task<int> TerminateAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()])!) await ExitAsync(kill, TimeSpan.FromSeconds(10), "kill -TERM");
        await ExitAsync(_process, TimeSpan.FromSeconds(60), "The AgentService process, sent SIGTERM,");
        return _process.ExitCode;
    }

    private static async Task ExitAsync(Process process, TimeSpan timeout, string what)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException e)
        {
            throw new TimeoutException($"{what} did not exit within {timeout.TotalSeconds:0} s.", e);
        }
    }

    /// <summary>SIGKILL: no shutdown hooks, no release of its task, no acknowledgement of its message.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        if (!_process.WaitForExit(TimeSpan.FromSeconds(30)))
            throw new TimeoutException("The AgentService process, killed, did not exit within 30 s.");
    }

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited) Kill();
        _process.Dispose();
        Api.Dispose();
        return ValueTask.CompletedTask;
    }

    internal static string Configuration => AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
}

/// <summary>A throw-away redis-server on a given port (no persistence).</summary>
public sealed class RedisProcess : IDisposable
{
    private readonly Process _process;

    public RedisProcess(int port)
    {
        _process = Process.Start(new ProcessStartInfo("redis-server", ["--bind", "127.0.0.1", "--port", port.ToString(), "--save", "", "--appendonly", "no"])
        {
            RedirectStandardOutput = true, UseShellExecute = false,
        })!;
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill();
        _process.Dispose();
    }
}

/// <summary>
/// An HTTP relay in front of an upstream (llm-bridge, ProofService) that answers the first <c>forward</c> POSTs (each after
/// <c>delay</c>) and then hangs, and holds unanswered any whose body <c>hold</c> matches: a slow model, one that stops
/// answering in the middle of a task, or a service that stops answering at exactly one request.
/// </summary>
public sealed class HangingRelay : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly HttpClient _upstream;
    private readonly int _forward;
    private int _received;

    public Uri Url { get; }
    public int Received => Volatile.Read(ref _received);

    /// <summary>Returns once <paramref name="count"/> requests arrived; fails the test, naming <paramref name="what"/>, after <paramref name="timeout"/>.</summary>
    public async Task WaitForRequestsAsync(int count, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Received < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Waited {timeout.TotalSeconds:0} s for {what}: the model received {Received} of {count} requests.");
            await Task.Delay(50);
        }
    }

    private readonly TimeSpan _delay;
    private readonly Func<string, bool>? _hold;
    private readonly TaskCompletionSource<string> _held = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public HangingRelay(Uri upstream, int forward, TimeSpan delay = default, Func<string, bool>? hold = null)
    {
        _forward = forward;
        _delay = delay;
        _hold = hold;
        _upstream = new HttpClient { BaseAddress = upstream };
        var port = Ports.Free();
        Url = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(Url.ToString());
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (!_listener.IsListening)
            {
                return;
            }
            if (Interlocked.Increment(ref _received) > _forward) continue; // never answered
            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    /// <summary>The body of the first request held; fails the test after <paramref name="timeout"/>.</summary>
    public async Task<string> HeldAsync(TimeSpan timeout)
    {
        var held = await Task.WhenAny(_held.Task, Task.Delay(timeout));
        Assert.True(held == _held.Task, $"No request to hold arrived within {timeout.TotalSeconds:0} s.");
        return await _held.Task;
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        await Task.Delay(_delay);
        using var reader = new StreamReader(context.Request.InputStream);
        var body = await reader.ReadToEndAsync();
        if (_hold?.Invoke(body) == true)
        {
            _held.TrySetResult(body);
            return; // never answered
        }
        var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var answer = await _upstream.PostAsync(context.Request.Url!.AbsolutePath, content);
        context.Response.StatusCode = (int)answer.StatusCode;
        context.Response.ContentType = "application/json";
        await answer.Content.CopyToAsync(context.Response.OutputStream);
        context.Response.Close();
    }

    public void Dispose()
    {
        _listener.Close();
        _upstream.Dispose();
    }
}

/// <summary>
/// A TCP relay in front of a service that the test can cut — every open connection dropped, new ones refused, as when
/// the service's process goes away — and open again.
/// </summary>
public sealed class TcpRelay : IDisposable
{
    private readonly Uri _upstream;
    private TcpListener? _listener;
    private CancellationTokenSource _connections = new();

    public Uri Url { get; }

    public TcpRelay(Uri upstream)
    {
        _upstream = upstream;
        Url = new Uri($"http://127.0.0.1:{Ports.Free()}/");
        Open();
    }

    public void Open()
    {
        _connections = new CancellationTokenSource();
        _listener = new TcpListener(IPAddress.Loopback, Url.Port);
        _listener.Start();
        _ = AcceptAsync(_listener, _connections.Token);
    }

    public void Cut()
    {
        _listener?.Stop();
        _connections.Cancel();
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await listener.AcceptTcpClientAsync(ct);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = RelayAsync(inbound, ct);
        }
    }

    private async Task RelayAsync(TcpClient inbound, CancellationToken ct)
    {
        using (inbound)
        using (var outbound = new TcpClient())
        {
            try
            {
                await outbound.ConnectAsync(_upstream.Host, _upstream.Port, ct);
                var (a, b) = (inbound.GetStream(), outbound.GetStream());
                await Task.WhenAny(a.CopyToAsync(b, ct), b.CopyToAsync(a, ct));
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
            {
                // cut, or one side closed
            }
        }
    }

    public void Dispose() => Cut();
}
