using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Tests;

/// <summary>
/// The system pointed at a provider that behaves like a real one: each answer takes 15 s, the first request is refused
/// with a 429 and <c>Retry-After</c>. A model call must outlast the default 10 s attempt timeout without being asked again
/// (it may be billed), the 429 must be retried after the wait it names, and the provider must be asked for the
/// configured model, not the offline planner's name.
/// </summary>
public sealed class SlowProviderTests
{
    private const string UpstreamModel = "slow-provider-model-1";
    private const int RetryAfterSeconds = 3;
    private static readonly TimeSpan AnswerDelay = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task ATaskOnASlowRateLimitingProviderSucceedsWithOneRequestPerModelTurnAndTheConfiguredModel()
    {
        using var provider = SlowProvider.Start(AnswerDelay, rateLimited: 1, RetryAfterSeconds);
        await provider.WaitHealthyAsync(TimeSpan.FromSeconds(20));
        var data = Directory.CreateTempSubdirectory("openmcp-slow-provider-").FullName;
        try
        {
            await using var run = await SystemRun.StartAsync(data,
                $"--LlmBridge:UpstreamUrl={provider.Url}v1", $"--LlmBridge:UpstreamModel={UpstreamModel}");

            var accepted = await run.Client.CreateTaskAsync(new CreateTaskRequest("What is the latest block number?"));
            // Two model turns of 15 s each, the 429's wait, the tool call: well within two minutes.
            var task = await run.Client.FinishedAsync(accepted.TaskId, TimeSpan.FromMinutes(2));

            Assert.True(task.Status == TaskStatuses.Succeeded, $"task ended {task.Status}: {task.Error}");
            Assert.Equal("get_chain_info", Assert.Single(task.Result!.ToolCalls).Tool);
            var turns = (await run.Client.GetStepsAsync(task.TaskId)).Count(s => s.Kind == "model_turn");
            Assert.Equal(2, turns);

            var received = await provider.ReceivedAsync();
            Assert.All(received, r => Assert.Equal(UpstreamModel, r.Model));
            // The refused request, then exactly one per model turn: none cut by a timeout and asked again.
            Assert.Equal([429, .. Enumerable.Repeat(200, turns)], received.Select(r => r.Status));
            Assert.True(received[1].At - received[0].At >= RetryAfterSeconds - 0.1,
                $"the 429 was retried after {received[1].At - received[0].At:0.0} s, not after its Retry-After of {RetryAfterSeconds} s");
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private sealed record Received(string Model, int Status, double At);

    /// <summary>llm-bridge/tests/slow_provider.py as a real process: an OpenAI-compatible provider that is slow and rate-limits.</summary>
    private sealed class SlowProvider : IDisposable
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

        public static SlowProvider Start(TimeSpan delay, int rateLimited, int retryAfterSeconds)
        {
            var port = AgentProcess.FreePort();
            var script = Path.Combine(RepoRoot(), "llm-bridge", "tests", "slow_provider.py");
            var process = Process.Start(new ProcessStartInfo("python3",
                [script, "--port", port.ToString(), "--delay", delay.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
                 "--rate-limited", rateLimited.ToString(), "--retry-after", retryAfterSeconds.ToString()])
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

        public async Task<List<Received>> ReceivedAsync() =>
            (await _http.GetFromJsonAsync<List<JsonElement>>("/requests"))!
            .Select(r => new Received(r.GetProperty("model").GetString()!, r.GetProperty("status").GetInt32(), r.GetProperty("at").GetDouble()))
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
}
