using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace OpenMcpChain.Tests;

/// <summary>
/// The <c>openmcp</c> command-line client, built by this solution, run as a real process (<c>dotnet openmcp.dll</c>) with a
/// configuration directory of its own (one signed-in user each) and a deadline on every run.
/// </summary>
public sealed class OpenMcpCli(Uri server, ITestOutputHelper? log = null) : IDisposable
{
    private static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(60);

    /// <summary>Where the CLI's build output is, as the test project's build recorded it (the same configuration).</summary>
    public static string Assembly { get; } = typeof(OpenMcpCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "OpenMcpCli").Value is { } path && File.Exists(path)
        ? Path.GetFullPath(path)
        : throw new FileNotFoundException("openmcp.dll is not built; build the solution (the test project references OpenMcpChain.Cli).");

    /// <summary>This user's <c>$XDG_CONFIG_HOME</c>: where the CLI keeps its session.</summary>
    public string ConfigHome { get; } = Directory.CreateTempSubdirectory("openmcp-cli-test-").FullName;

    public string SessionFile => Path.Combine(ConfigHome, "openmcp", "session.json");

    public sealed record Outcome(int ExitCode, string Output, string Error)
    {
        /// <summary>What it printed, as JSON; fails the test, showing what it printed, when it did not succeed.</summary>
        public JsonElement Json(int expectedExit = 0)
        {
            Assert.True(ExitCode == expectedExit, $"openmcp exited {ExitCode}, not {expectedExit}: {Output}{Error}");
            return JsonDocument.Parse(Output).RootElement.Clone();
        }

        public Outcome Succeeded()
        {
            Assert.True(ExitCode == 0, $"openmcp exited {ExitCode}: {Output}{Error}");
            return this;
        }
    }

    public Task<Outcome> RunAsync(params string[] args) => RunAsync(args, null, DefaultDeadline);

    public async Task<Outcome> RunAsync(string[] args, string? input, TimeSpan deadline)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.Environment["XDG_CONFIG_HOME"] = ConfigHome;
        start.Environment["OPENMCP_SERVER"] = server.ToString();
        foreach (var name in (string[])["OPENMCP_PASSWORD", "OPENMCP_CLIENT_SECRET", "DOTNET_CLI_UI_LANGUAGE"]) start.Environment.Remove(name);
        foreach (var arg in (string[])[Assembly, .. args]) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(deadline);
        // Read to the end of each pipe, which comes when the process exits or is killed; every wait below has a deadline.
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            if (input is not null) await process.StandardInput.WriteLineAsync(input.AsMemory(), timeout.Token);
            process.StandardInput.Close();
            await process.WaitForExitAsync(timeout.Token);
            await Task.WhenAll(output, error).WaitAsync(timeout.Token);
            // What a person would have seen, in the test's output.
            log?.WriteLine($"$ openmcp {string.Join(' ', args)}  → exit {process.ExitCode}\n{output.Result}{error.Result}");
            return new(process.ExitCode, output.Result, error.Result);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"openmcp {string.Join(' ', args)} did not finish within {deadline}; it printed: {await PrintedAsync(output, error)}");
        }
    }

    /// <summary>What a killed run printed until then (its pipes close with it), so a hang shows where it hung.</summary>
    private static async Task<string> PrintedAsync(Task<string> output, Task<string> error)
    {
        try
        {
            return string.Concat(await Task.WhenAll(output, error).WaitAsync(TimeSpan.FromSeconds(5)));
        }
        catch (Exception e) when (e is TimeoutException or IOException)
        {
            return "(its output could not be read)";
        }
    }

    /// <summary>Signs in with a password read from standard input (never on the command line).</summary>
    public async Task<Outcome> LoginAsync(string username, string password) =>
        await RunAsync(["login", "--username", username], password, DefaultDeadline);

    public void Dispose() => Directory.Delete(ConfigHome, recursive: true);
}
