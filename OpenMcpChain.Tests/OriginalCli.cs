using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace OpenMcpChain.Tests;

/// <summary>The original daemon's command-line client (<c>OriginalClients/task_client.py</c>) run as a real python3 process.</summary>
public sealed class OriginalCli(Uri gateway)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly string Script = Path.Combine(AppContext.BaseDirectory, "OriginalClients", "task_client.py");

    public sealed record Outcome(int ExitCode, string Output, string Error)
    {
        /// <summary>What it printed, as JSON; fails the test, showing what it printed, when that is not what succeeded.</summary>
        public JsonElement Json()
        {
            Assert.True(ExitCode == 0, $"task_client.py exited {ExitCode}: {Error}");
            return JsonDocument.Parse(Output).RootElement.Clone();
        }
    }

    public async Task<Outcome> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        // Its output is UTF-8 whatever this machine's locale (it prints non-ASCII text as is).
        start.Environment["PYTHONIOENCODING"] = "utf-8";
        foreach (var arg in (string[])[Script, "--base-url", gateway.ToString().TrimEnd('/'), .. args]) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        using var deadline = new CancellationTokenSource(Deadline);
        try
        {
            var output = process.StandardOutput.ReadToEndAsync(deadline.Token);
            var error = process.StandardError.ReadToEndAsync(deadline.Token);
            await process.WaitForExitAsync(deadline.Token);
            return new(process.ExitCode, await output, await error);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"task_client.py {string.Join(' ', args)} did not finish within {Deadline}.");
        }
    }
}
