using System.Net.Http.Json;
using MySqlConnector;
using Nethereum.Signer;
using Nethereum.Signer.EIP712;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;
using OpenMcpChain.Sdk.Proofs;

namespace OpenMcpChain.Benchmarks;

/// <summary>
/// Read-only tasks end to end (Gateway → queue → agent loop with the offline planner → MCP tool → attestation, steps
/// logged) against the same work done directly in one process: the chain reads, the row writes and the signature.
/// </summary>
public static class TaskBenchmark
{
    private const string Goal = "What is the latest block number?";

    public static async Task RunAsync(Uri gateway, string operatorPassword, Uri rpc, string mysqlConnection, int sequential, TimeSpan duration)
    {
        using var http = new HttpClient { BaseAddress = gateway };
        var client = new OpenMcpChainClient(http);
        await client.AuthenticateAsync("operator", operatorPassword);
        async Task TaskAsync()
        {
            var task = await FinishedAsync(client, (await client.CreateTaskAsync(new CreateTaskRequest(Goal))).TaskId);
            if (task.Status != TaskStatuses.Succeeded) throw new InvalidOperationException($"task ended {task.Status}: {task.Error}");
        }

        // The direct path: what a task needs, without services: chain id and head over JSON-RPC, the task row written
        // and updated, the outcome signed as EIP-712 typed data.
        var builder = new MySqlConnectionStringBuilder(mysqlConnection) { Database = "" };
        await using (var setup = new MySqlConnection(builder.ConnectionString))
        {
            await setup.OpenAsync();
            await new MySqlCommand("CREATE DATABASE IF NOT EXISTS benchdb; CREATE TABLE IF NOT EXISTS benchdb.tasks " +
                                   "(id VARCHAR(64) PRIMARY KEY, goal TEXT, status VARCHAR(32), result LONGTEXT)", setup).ExecuteNonQueryAsync();
        }
        builder.Database = "benchdb";
        // Signed as ProofService signs (Secp256k1Signer over Nethereum's encoding), so the floor does the same work.
        var signer = new Secp256k1Signer(EthECKey.GenerateKey().GetPrivateKey());
        var typedDataEncoder = new Eip712TypedDataSigner();
        using var rpcHttp = new HttpClient { BaseAddress = rpc };
        async Task DirectAsync()
        {
            var id = Guid.CreateVersion7().ToString();
            await using var db = new MySqlConnection(builder.ConnectionString);
            await db.OpenAsync();
            await using (var insert = new MySqlCommand("INSERT INTO tasks (id, goal, status) VALUES (@id, @goal, 'running')", db))
            {
                insert.Parameters.AddWithValue("@id", id);
                insert.Parameters.AddWithValue("@goal", Goal);
                await insert.ExecuteNonQueryAsync();
            }
            var chainId = await RpcAsync(rpcHttp, "eth_chainId");
            var head = await RpcAsync(rpcHttp, "eth_blockNumber");
            // The task result's shape: the chain id and block as the quantities the RPC answered, observations readable.
            var result = $"{{\"chain_id\":\"{chainId}\",\"block_number\":\"{head}\",\"observations\":\"get_chain_info() returned: {chainId} {head}\"}}";
            var typedData = TaskOutcomeTypedData.Build(id, Goal, result, new byte[32], 0, [], DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            var signature = signer.SignHash(Nethereum.Util.Sha3Keccack.Current.CalculateHash(typedDataEncoder.EncodeTypedData(typedData)));
            await using var update = new MySqlCommand("UPDATE tasks SET status = 'succeeded', result = @result WHERE id = @id", db);
            update.Parameters.AddWithValue("@id", id);
            update.Parameters.AddWithValue("@result", result + signature);
            await update.ExecuteNonQueryAsync();
        }

        Console.WriteLine($"Warming up; then {sequential} sequential tasks and {duration.TotalSeconds:0} s at concurrency 8 for each path.");
        var direct = await Measure.RunAsync("direct (one process)", DirectAsync, sequential, duration, concurrency: 8);
        var tasks = await Measure.RunAsync("task end to end", TaskAsync, sequential, duration, concurrency: 8);
        Console.WriteLine();
        Console.WriteLine($"ratio task/direct: p50 latency {tasks.P50 / direct.P50:0.0}x, p99 latency {tasks.P99 / direct.P99:0.0}x, " +
                          $"throughput {direct.Throughput / tasks.Throughput:0.0}x lower ({tasks.Throughput:0.0} tasks/s sustained)");

        // What one task costs the whole system, counted rather than timed: the CPU each program used and the statements
        // MariaDB ran over a fixed number of tasks at concurrency 8, each path alike.
        await using var server = await ServerCounters.OpenAsync(mysqlConnection);
        var directCost = await CostAsync(server, DirectAsync);
        var taskCost = await CostAsync(server, TaskAsync);
        Console.WriteLine($"CPU per task ({Counted} at concurrency 8): {taskCost.Cpu.Values.Sum():0.0} ms vs {directCost.Cpu.Values.Sum():0.0} ms direct " +
                          $"({taskCost.Cpu.Values.Sum() / directCost.Cpu.Values.Sum():0.0}x); by program: " +
                          string.Join(", ", taskCost.Cpu.Where(p => p.Value >= 0.05).OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value:0.0}")));
        Console.WriteLine($"MariaDB per task: {Statements(taskCost.Server)}; direct: {Statements(directCost.Server)}");
    }

    private const int Counted = 200;

    private static async Task<(Dictionary<string, double> Cpu, Dictionary<string, long> Server)> CostAsync(ServerCounters server, Func<Task> call)
    {
        var next = 0;
        var (cpu, counted) = await server.CountAsync(() => ProcessCpu.CountAsync(() => Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= Counted) await call();
        }))));
        return (cpu.ToDictionary(p => p.Key, p => p.Value / Counted), counted);
    }

    private static string Statements(Dictionary<string, long> delta)
    {
        double Per(string name) => delta.GetValueOrDefault(name) / (double)Counted;
        // Every kind of statement run at least once per 2 tasks, most frequent first (Com_select: SELECT, Com_set_option: SET…).
        var kinds = delta.Where(p => p.Key.StartsWith("Com_", StringComparison.Ordinal) && p.Value * 2 >= Counted)
            .OrderByDescending(p => p.Value).Select(p => $"{p.Value / (double)Counted:0.0} {p.Key["Com_".Length..]}");
        return $"{Per("Questions"):0.0} statements ({string.Join(", ", kinds)}), {Per("Innodb_data_fsyncs"):0.0} fsyncs";
    }

    /// <summary>
    /// Waits the way a client should: the task's event stream (one request, ending after the final status), then the task
    /// once for its result. Polling every few milliseconds would load the Gateway more than the tasks do. A task not final
    /// within a minute fails the run.
    /// </summary>
    internal static async Task<TaskResponse> FinishedAsync(OpenMcpChainClient client, string taskId)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await foreach (var _ in client.StreamTaskEventsAsync(taskId, ct: deadline.Token))
            {
            }
            var task = await client.GetTaskAsync(taskId, deadline.Token);
            return TaskStatuses.IsFinal(task.Status) ? task : throw new InvalidOperationException($"task {taskId}'s events ended while it was {task.Status}");
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException($"task {taskId} not final after 60 s");
        }
    }

    private static async Task<string> RpcAsync(HttpClient http, string method)
    {
        using var response = await http.PostAsJsonAsync("", new { jsonrpc = "2.0", id = 1, method, @params = Array.Empty<object>() });
        var body = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        return body.GetProperty("result").GetString()!;
    }
}
