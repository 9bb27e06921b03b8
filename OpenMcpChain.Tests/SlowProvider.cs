using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace OpenMcpChain.Tests;

/// <summary>A request the slow provider received: the model asked for, the status it got, when (UNIX seconds), the messages sent.</summary>
internal sealed record ProviderRequest(string Model, int Status, double At, JsonElement Messages);

/// <summary>
/// llm-bridge/tests/slow_provider.py as a real process: an OpenAI-compatible provider that is slow and rate-limits, and with
/// <c>vary</c> plans the same goal differently on every call, as a real model does.
/// </summary>
internal sealed class SlowProvider : IDisposable
{
    private readonly Process _process;
    private readonly HttpClient _http;

    public Uri Url { get; }

    private SlowProvider(Process process, Uri url)
    {
        _process = process;
        Url = url;
        _http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(10) };
    }

    public static SlowProvider Start(TimeSpan delay, int rateLimited, int retryAfterSeconds, bool vary = false)
    {
        var port = Ports.Free();
        var script = Path.Combine(RepoRoot(), "llm-bridge", "tests", "slow_provider.py");
        var process = Process.Start(new ProcessStartInfo("python3",
            [script, "--port", port.ToString(), "--delay", delay.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
             "--rate-limited", rateLimited.ToString(), "--retry-after", retryAfterSeconds.ToString(), .. vary ? (string[])["--vary"] : []])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        })!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new SlowProvider(process, new Uri($"http://127.0.0.1:{port}/"));
    }

    public async Task WaitHealthyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            Assert.False(_process.HasExited, "The slow provider exited while starting.");
            try
            {
                if ((await _http.GetAsync("/health")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }
            Assert.True(DateTime.UtcNow < deadline, $"The slow provider did not start within {timeout.TotalSeconds:0} s.");
            await Task.Delay(100);
        }
    }

    public async Task<List<ProviderRequest>> ReceivedAsync() =>
        (await _http.GetFromJsonAsync<List<JsonElement>>("/requests"))!
        .Select(r => new ProviderRequest(r.GetProperty("model").GetString()!, r.GetProperty("status").GetInt32(), r.GetProperty("at").GetDouble(),
            r.GetProperty("messages")))
        .ToList();

    private static string RepoRoot() =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(new Projects.OpenMcpChain_AgentService().ProjectPath)!, ".."));

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill();
        _process.WaitForExit(TimeSpan.FromSeconds(10));
        _process.Dispose();
        _http.Dispose();
    }
}
