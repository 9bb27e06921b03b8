extern alias chainservice;
using System.Diagnostics;
using System.Numerics;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Nethereum.Web3;

namespace OpenMcpChain.Tests;

/// <summary>
/// A private anvil process on a free port, for tests that stop mining, reorg or fork a chain: the system's devnet,
/// which every other test shares, keeps mining at once.
/// </summary>
public sealed class AnvilProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(30);
    private readonly Process _process;

    public string RpcUrl { get; }
    public Web3 Web3 { get; }

    private AnvilProcess(Process process, string rpcUrl)
    {
        (_process, RpcUrl) = (process, rpcUrl);
        Web3 = new Web3(rpcUrl);
    }

    public static string Binary => Path.GetFullPath(Path.Combine(
        Projects.OpenMcpChain_AppHost.ProjectPath, "..", "tools", "node_modules", "@foundry-rs", "anvil-linux-amd64", "bin", "anvil"));

    public static async Task<AnvilProcess> StartAsync(params string[] args)
    {
        var port = Ports.Free();
        var start = new ProcessStartInfo(Binary, ["--host", "127.0.0.1", "--port", port.ToString(), "--silent", .. args])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var anvil = new AnvilProcess(process, $"http://127.0.0.1:{port}");
        await TaskWaits.UntilAsync(async () =>
        {
            Assert.False(process.HasExited, "anvil exited while starting");
            try
            {
                return await anvil.Web3.Eth.ChainId.SendRequestAsync() is not null;
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                return false;
            }
        }, StartDeadline, "anvil to answer");
        return anvil;
    }

    /// <summary>Calls one of anvil's own methods (<c>evm_mine</c>, <c>anvil_reorg</c>, …).</summary>
    public Task<T> RpcAsync<T>(string method, params object[] args) => Web3.Client.SendRequestAsync<T>(method, null, args);

    public Task<object> RpcAsync(string method, params object[] args) => RpcAsync<object>(method, args);

    public async Task<BigInteger> BalanceAsync(string address) => (await Web3.Eth.GetBalance.SendRequestAsync(address)).Value;

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit(5000);
        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// A ChainService (WebApplicationFactory) whose one network, named <paramref name="network"/>, is a private anvil, on the
/// system's MariaDB (a database of its own), Redis and ProofService (so its writes reach the transparency log).
/// </summary>
internal static class PrivateChainService
{
    /// <summary>anvil account 5: no other test signs with it.</summary>
    public const string WalletKey = "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba";

    public static async Task<WebApplicationFactory<chainservice::Program>> StartAsync(
        SystemFixture system, string network, string rpcUrl, IDictionary<string, string?> settings)
    {
        var chainDb = (await system.App.GetConnectionStringAsync("chaindb"))!.Replace("Database=chaindb", $"Database=chaindb_{network}");
        var all = new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["ConnectionStrings:chaindb"] = chainDb,
            ["ConnectionStrings:redis"] = await system.App.GetConnectionStringAsync("redis"),
            [$"Networks:{network}:RpcUrl"] = rpcUrl,
            [$"Networks:{network}:Policy:AllowAnyContract"] = "true",
            [$"Networks:{network}:Policy:TaskBudget"] = "1",
            ["Wallets:default:PrivateKey"] = WalletKey,
            ["Callers:agent:ApiKey"] = ChainServiceFixture.AgentKey,
            ["services:proofservice:http:0"] = system.App.GetEndpoint("proofservice", "http").ToString(),
        };
        foreach (var (key, value) in settings) all[key] = value;
        var factory = new WebApplicationFactory<chainservice::Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Production");
            foreach (var (key, value) in all) web.UseSetting(key, value);
        });
        try
        {
            factory.CreateClient(); // starts the host (and its migrator) now
        }
        catch
        {
            await factory.DisposeAsync();
            throw;
        }
        return factory;
    }

    public static HttpClient Client(this WebApplicationFactory<chainservice::Program> factory, string taskId)
    {
        var client = factory.CreateClient();
        client.Timeout = TimeSpan.FromSeconds(90);
        client.DefaultRequestHeaders.Authorization = new("Bearer", ChainServiceFixture.AgentKey);
        client.DefaultRequestHeaders.Add("X-Task-Id", taskId);
        return client;
    }
}
