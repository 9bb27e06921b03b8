using System.Diagnostics;
using System.Text;
using Aspire.Hosting.Testing;

namespace OpenMcpChain.Tests;

/// <summary><c>Auth:Required=false</c> (the original CLI's devnet switch) runs on loopback only, and is refused anywhere else.</summary>
[Collection(SystemCollection.Name)]
public sealed class AuthSwitchTests(SystemFixture system)
{
    /// <summary>The built Gateway on its own, on the fixture's database and Redis, with the task API open to anyone.</summary>
    private async Task<(Process Process, StringBuilder Output)> StartOpenGatewayAsync(string url)
    {
        var dll = Path.Combine(Path.GetDirectoryName(new Projects.OpenMcpChain_Gateway().ProjectPath)!, "bin", AgentProcess.Configuration, "net10.0", "OpenMcpChain.Gateway.dll");
        var start = new ProcessStartInfo("dotnet", [dll]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["ASPNETCORE_URLS"] = url;
        start.Environment["ConnectionStrings__gatewaydb"] = await system.App.GetConnectionStringAsync("gatewaydb");
        start.Environment["ConnectionStrings__redis"] = await system.App.GetConnectionStringAsync("redis");
        start.Environment["Auth__SigningKey"] = "auth-switch-test-signing-key";
        start.Environment["Auth__Required"] = "false";
        var output = new StringBuilder();
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, output);
    }

    [Fact]
    public async Task AnOpenTaskApiIsRefusedAtStartOnANonLoopbackAddress()
    {
        var (process, output) = await StartOpenGatewayAsync($"http://0.0.0.0:{Ports.Free()}");
        using (process)
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            await process.WaitForExitAsync(deadline.Token);
            Assert.NotEqual(0, process.ExitCode);
            lock (output) Assert.Contains("Auth:Required=false", output.ToString());
            lock (output) Assert.Contains("0.0.0.0", output.ToString());
        }
    }

    [Fact]
    public async Task AnOpenTaskApiRunsOnLoopback()
    {
        var port = Ports.Free();
        var (process, output) = await StartOpenGatewayAsync($"http://127.0.0.1:{port}");
        using (process)
        using (var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") })
        {
            try
            {
                var deadline = DateTime.UtcNow.AddSeconds(90);
                while (true)
                {
                    lock (output) Assert.False(process.HasExited, $"The Gateway exited: {output}");
                    Assert.True(DateTime.UtcNow < deadline, "The Gateway did not answer within 90 s.");
                    try
                    {
                        if ((await http.GetAsync("/.well-known/oauth-protected-resource")).IsSuccessStatusCode) break;
                    }
                    catch (HttpRequestException)
                    {
                    }
                    await Task.Delay(250);
                }
                // Anonymous callers pass the Gateway (the service behind is not wired here: the answer is not a 401).
                using var tasks = await http.GetAsync("/api/v1/tasks");
                Assert.NotEqual(System.Net.HttpStatusCode.Unauthorized, tasks.StatusCode);
                // The chain tools still need a token.
                using var mcp = await http.PostAsync("/mcp", new StringContent("{}", Encoding.UTF8, "application/json"));
                Assert.Equal(System.Net.HttpStatusCode.Unauthorized, mcp.StatusCode);
            }
            finally
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
    }
}
