using System.Diagnostics;
using System.Text.Json;
using Nethereum.Web3;
using OpenMcpChain.Sdk;

namespace OpenMcpChain.Tests;

/// <summary>
/// The whole system as OS processes of its own: the built AppHost started with <c>dotnet</c> on a data directory, as
/// <c>scripts/run.sh</c> starts it, so that a test can kill it and everything it started at once without killing itself.
/// Services are found in /proc among the AppHost's descendants, by the address each was told to listen on.
/// </summary>
public sealed class AppHostProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);
    private readonly Process _process;
    private readonly StreamWriter _log;
    private bool _killed;

    private AppHostProcess(Process process, StreamWriter log)
    {
        _process = process;
        _log = log;
    }

    public HttpClient Gateway { get; private set; } = null!;
    public OpenMcpChainClient Client { get; private set; } = null!;
    public Web3 Devnet { get; private set; } = null!;

    /// <summary>
    /// Starts the AppHost on <paramref name="dataDirectory"/> (its output in an <c>apphost-*.log</c> there) and signs
    /// in as the operator; ready when the Gateway is healthy. <paramref name="environment"/> reaches every service too,
    /// since the processes the AppHost starts inherit its environment.
    /// </summary>
    public static async Task<AppHostProcess> StartAsync(string dataDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var project = ProjectDirectory;
        var dll = Path.Combine(project, "bin", AgentProcess.Configuration, "net10.0", "OpenMcpChain.AppHost.dll");
        // From the project directory, as `dotnet run` does: the AppHost reads its appsettings.json from there.
        var start = new ProcessStartInfo("dotnet",
            [dll, "--Infra:Mode=executables", $"--Data:Directory={dataDirectory}", "--DcpPublisher:RandomizePorts=true",
             "--Anchoring:Interval=00:00:02", "--Logging:LogLevel:Default=Warning"])
        {
            WorkingDirectory = project, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        foreach (var (key, value) in new Dictionary<string, string>
        {
            ["DOTNET_ENVIRONMENT"] = "Development",
            ["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true",
            // The dashboard and its endpoints on free ports, never the launch profile's fixed ones another run may hold.
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{Ports.Free()}",
            ["ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] = $"http://127.0.0.1:{Ports.Free()}",
            ["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://127.0.0.1:{Ports.Free()}",
        }.Concat(environment ?? new Dictionary<string, string>()))
        {
            start.Environment[key] = value;
        }
        var logPath = Path.Combine(dataDirectory, $"apphost-{DateTime.UtcNow:HHmmssfff}.log");
        var log = new StreamWriter(logPath) { AutoFlush = true };
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var run = new AppHostProcess(process, log);
        try
        {
            await run.ConnectAsync(logPath);
        }
        catch
        {
            await run.DisposeAsync();
            throw;
        }
        return run;
    }

    /// <summary>The address a service (<c>OpenMcpChain.ProofService</c>, …) listens on, read from its environment.</summary>
    public Uri ServiceUrl(string program) => new(ServiceVariable(program, "ASPNETCORE_URLS")?.Split(';')[0]
        ?? throw new InvalidOperationException($"{program} is not running under this AppHost."));

    public HttpClient CreateClient(string program) => new() { BaseAddress = ServiceUrl(program) };

    /// <summary>
    /// Every process of the system — the AppHost, DCP, the services, MariaDB, Redis, anvil, llm-bridge — stopped at once
    /// and killed: none shuts down, flushes or saves anything.
    /// </summary>
    public async Task KillEverythingAsync()
    {
        var tree = ProcessTree.Of(_process.Id);
        ProcessTree.KillAtOnce(tree);
        _killed = true;
        await ProcessTree.WaitGoneAsync(tree, TimeSpan.FromSeconds(30));
    }

    /// <summary>SIGTERM to the AppHost, which stops what it started; whatever still runs after a minute is killed.</summary>
    public async ValueTask DisposeAsync()
    {
        Gateway?.Dispose();
        if (_killed)
        {
            _process.Dispose();
            await _log.DisposeAsync();
            return;
        }
        var tree = ProcessTree.Of(_process.Id);
        if (ProcessTree.IsRunning(_process.Id))
        {
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString()])!) await term.WaitForExitAsync();
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await _process.WaitForExitAsync(deadline.Token);
                await ProcessTree.WaitGoneAsync(tree, TimeSpan.FromSeconds(30));
            }
            catch (Exception e) when (e is OperationCanceledException or TimeoutException)
            {
            }
        }
        ProcessTree.KillAtOnce([.. tree.Where(ProcessTree.IsRunning)]);
        _process.Dispose();
        await _log.DisposeAsync();
    }

    private async Task ConnectAsync(string logPath)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        while (true)
        {
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync(); // its output is all read
                throw new InvalidOperationException($"The AppHost exited ({_process.ExitCode}) while starting:\n{Tail(logPath)}");
            }
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"The Gateway was not healthy {StartTimeout.TotalMinutes:0} min after the AppHost started:\n{Tail(logPath)}");
            try
            {
                var url = ServiceVariable("OpenMcpChain.Gateway", "ASPNETCORE_URLS")?.Split(';')[0];
                if (url is not null && (await probe.GetAsync(new Uri(new Uri(url), "/health"))).IsSuccessStatusCode) break;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(500);
        }
        Gateway = CreateClient("OpenMcpChain.Gateway");
        Client = new OpenMcpChainClient(Gateway);
        await Client.AuthenticateAsync("operator", OperatorPassword());
        Devnet = new Web3(ServiceVariable("OpenMcpChain.ChainService", "Networks__devnet__RpcUrl"));
    }

    private string? ServiceVariable(string program, string name) =>
        ProcessTree.Named(ProcessTree.Of(_process.Id), program).Select(pid => ProcessTree.Environment(pid, name)).FirstOrDefault(v => v is not null);

    // The AppHost's metadata names its project directory (a service's names its .csproj).
    internal static string ProjectDirectory => Projects.OpenMcpChain_AppHost.ProjectPath is var path && path.EndsWith(".csproj", StringComparison.Ordinal)
        ? Path.GetDirectoryName(path)! : path;

    /// <summary>The devnet operator password the AppHost is configured with (its appsettings.json; a DEVNET ONLY value).</summary>
    private static string OperatorPassword()
    {
        var settings = Path.Combine(ProjectDirectory, "appsettings.json");
        using var json = JsonDocument.Parse(File.ReadAllText(settings), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        return json.RootElement.GetProperty("Parameters").GetProperty("gateway-operator-password").GetString()!;
    }

    private string Tail(string logPath)
    {
        lock (_log) _log.Flush();
        using var reader = new StreamReader(new FileStream(logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        return string.Join('\n', reader.ReadToEnd().Split('\n').TakeLast(40));
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null) return;
        try
        {
            lock (log) log.WriteLine(line);
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
