using System.Diagnostics;
using System.Net.Http.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;
using OpenMcpChain.Benchmarks;

// Starts the whole system (as the tests do), then measures a balance read two ways against the same devnet in the
// same run: a direct JSON-RPC eth_getBalance, and the MCP get_balance tool through ChainService. Prints both and the ratio.
string[] modes = ["chain", "log", "tasks", "writes", "grpc", "breakdown", "gateway", "sign"];
// "writes" alone benchmarks write tasks; with "breakdown" it says which tasks to break down.
var writes = args.Contains("writes");
var mode = args.FirstOrDefault(a => modes.Contains(a) && a != "writes") ?? (writes ? "writes" : "chain");
if (writes && mode is not ("writes" or "breakdown"))
{
    Console.Error.WriteLine($"'writes' goes alone or with 'breakdown', not with '{mode}'.");
    Environment.Exit(2);
}
args = [.. args.Where(a => !modes.Contains(a))];
var sequential = args.Length > 0 ? int.Parse(args[0]) : 500;
if (mode == "sign")
{
    SignBenchmark.Run(sequential);
    return;
}
var duration = TimeSpan.FromSeconds(args.Length > 1 ? int.Parse(args[1]) : 10);
const int Concurrency = 8;
const string Address = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

// A fresh data directory per run, so figures never depend on what an earlier run left behind.
var data = Directory.CreateTempSubdirectory("openmcp-bench-data-").FullName;
var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.OpenMcpChain_AppHost>(
    ["--Infra:Mode=executables", $"--Data:Directory={data}", "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Microsoft.Extensions.Diagnostics.HealthChecks=None",
     // The devnet on a port of its own, reached directly as under scripts/run.sh (without one it would sit behind a proxy).
     $"--Devnet:Port={OpenMcpChain.Tests.Ports.Free()}",
     // The tasks benchmark polls as fast as it can; the Gateway's per-caller limit is not what it measures.
     "--Gateway:Auth:Users:operator:RequestsPerMinute=100000000"]);
// Every service exports its telemetry as it does under scripts/run.sh (where the dashboard takes it): to a receiver in
// this process, which keeps the spans only for the breakdown (it reads each task's trace) and there asks for them promptly.
// Without a receiver the exporters would fail their every request against a port nobody listens on.
await using var receiver = new OpenMcpChain.Tests.OtlpReceiver(keepSpans: mode == "breakdown");
receiver.ReceiveFrom(builder, promptly: mode == "breakdown");
await using var app = await builder.BuildAsync();
await app.StartAsync();
// Every service up before anything is measured: one still starting would share the two cores with what is measured.
foreach (var service in new[] { "chainservice", "proofservice", "agentservice", "gateway" })
    await app.ResourceNotifications.WaitForResourceHealthyAsync(service);
if (mode is "tasks" or "writes" or "grpc" or "breakdown" or "gateway")
{
    var password = await app.Services.GetRequiredService<DistributedApplicationModel>().Resources
        .OfType<ParameterResource>().Single(p => p.Name == "gateway-operator-password").GetValueAsync(default);
    if (mode == "gateway")
    {
        await GatewayBenchmark.RunAsync(app.GetEndpoint("gateway", "http"), app.GetEndpoint("agentservice", "http"), password!, sequential, duration);
        await app.StopAsync();
        return;
    }
    if (mode == "breakdown")
    {
        await TaskBreakdown.RunAsync(app.GetEndpoint("gateway", "http"), password!, receiver, sequential, writes);
        await app.StopAsync();
        return;
    }
    if (mode == "grpc")
    {
        await GrpcBenchmark.RunAsync(app.GetEndpoint("gateway", "http"), app.GetEndpoint("gateway", "grpc"), password!, sequential, duration);
        await app.StopAsync();
        return;
    }
    await TaskBenchmark.RunAsync(app.GetEndpoint("gateway", "http"), password!, app.GetEndpoint("devnet", "http"),
        (await app.GetConnectionStringAsync("agentdb"))!, sequential, duration, writes);
    await app.StopAsync();
    return;
}
if (mode == "log")
{
    await LogBenchmark.RunAsync(app.GetEndpoint("proofservice", "http"), (await app.GetConnectionStringAsync("proofdb"))!, sequential, duration,
        args.Length > 2 ? long.Parse(args[2]) : 0);
    await app.StopAsync();
    return;
}

var rpcUrl = app.GetEndpoint("devnet", "http");
var chainUrl = app.GetEndpoint("chainservice", "http");
var key = await app.Services.GetRequiredService<DistributedApplicationModel>().Resources
    .OfType<ParameterResource>().Single(p => p.Name == "chain-agent-key").GetValueAsync(default);

using var http = new HttpClient { BaseAddress = rpcUrl };
async Task DirectAsync()
{
    using var response = await http.PostAsJsonAsync("", new { jsonrpc = "2.0", id = 1, method = "eth_getBalance", @params = new[] { Address, "latest" } });
    response.EnsureSuccessStatusCode();
    await response.Content.ReadAsByteArrayAsync();
}

using var mcpHttp = new HttpClient();
await using var mcp = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
{
    Endpoint = new Uri(chainUrl, "/mcp"),
    TransportMode = HttpTransportMode.StreamableHttp,
    AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = $"Bearer {key}" },
}, mcpHttp));
var toolArgs = new Dictionary<string, object?> { ["address"] = Address };
async Task McpAsync()
{
    var result = await mcp.CallToolAsync("get_balance", toolArgs);
    if (result.IsError == true) throw new InvalidOperationException("get_balance failed");
}

var web3 = new Nethereum.Web3.Web3(rpcUrl.ToString());
async Task NethereumAsync() => await web3.Eth.GetBalance.SendRequestAsync(Address);

using var rest = new HttpClient { BaseAddress = chainUrl };
rest.DefaultRequestHeaders.Authorization = new("Bearer", key);
async Task RestAsync()
{
    using var response = await rest.PostAsJsonAsync("/api/tools/get_balance", new { address = Address });
    response.EnsureSuccessStatusCode();
    await response.Content.ReadAsByteArrayAsync();
}

Console.WriteLine($"Warming up; then {sequential} sequential calls and {duration.TotalSeconds:0} s at concurrency {Concurrency} for each path.");
var direct = await Measure.RunAsync("direct eth_getBalance", DirectAsync, sequential, duration, Concurrency);
await Measure.RunAsync("Nethereum eth_getBalance", NethereumAsync, sequential, duration, Concurrency);
var viaMcp = await Measure.RunAsync("MCP get_balance", McpAsync, sequential, duration, Concurrency);
var viaRest = await Measure.RunAsync("REST get_balance", RestAsync, sequential, duration, Concurrency);
Console.WriteLine();
Console.WriteLine($"ratio MCP/direct: p50 latency {viaMcp.P50 / direct.P50:0.00}x, p99 latency {viaMcp.P99 / direct.P99:0.00}x, " +
                  $"throughput {direct.Throughput / viaMcp.Throughput:0.00}x lower");
Console.WriteLine($"ratio REST/direct (the same tool without MCP framing): p50 latency {viaRest.P50 / direct.P50:0.00}x");
await app.StopAsync();
