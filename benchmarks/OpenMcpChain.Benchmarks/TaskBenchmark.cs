using System.Net.Http.Json;
using System.Text.Json;
using Nethereum.Hex.HexTypes;
using MySqlConnector;
using Nethereum.Signer;
using Nethereum.Signer.EIP712;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;
using OpenMcpChain.Sdk.Proofs;

namespace OpenMcpChain.Benchmarks;

/// <summary>
/// Tasks end to end (Gateway → queue → agent loop with the offline planner → MCP tool → attestation, steps logged) against
/// the same work done directly in one process. Read-only tasks ("tasks") read the chain's head; the floor reads it over
/// JSON-RPC, writes the task's row and signs the outcome. Writes ("writes") send a native transfer and wait for its receipt
/// (depth 1); the floor signs a transfer the way ChainService does, sends it with eth_sendRawTransaction and waits for the
/// receipt, with the same row and outcome signature.
/// </summary>
public static class TaskBenchmark
{
    internal const string ReadGoal = "What is the latest block number?";

    internal static string WriteGoal(string recipient) => $"Send 0.001 ETH to {recipient}";

    /// <summary>The task, if it succeeded — and, for a write task, made its transfer; else the run stops saying why.</summary>
    internal static TaskResponse Done(TaskResponse task, bool writes)
    {
        if (task.Status != TaskStatuses.Succeeded) throw new InvalidOperationException($"task ended {task.Status}: {task.Error}");
        if (writes && !task.Result!.ToolCalls.Any(c => c.Tool == "transfer_native" && !c.IsError))
            throw new InvalidOperationException($"task {task.TaskId} succeeded without a transfer");
        return task;
    }

    public static async Task RunAsync(Uri gateway, string operatorPassword, Uri rpc, string mysqlConnection, int sequential, TimeSpan duration, bool writes)
    {
        using var http = new HttpClient { BaseAddress = gateway };
        var client = new OpenMcpChainClient(http);
        await client.AuthenticateAsync("operator", operatorPassword);
        // Every transfer to one fresh address: the recipient is not what is measured.
        var recipient = EthECKey.GenerateKey().GetPublicAddress();
        var goal = writes ? WriteGoal(recipient) : ReadGoal;
        async Task TaskAsync() => Done(await FinishedAsync(client, (await client.CreateTaskAsync(new CreateTaskRequest(goal))).TaskId), writes);

        // The direct path: what a task needs, without services: the task row written and updated, the chain work over
        // JSON-RPC, the outcome signed as EIP-712 typed data.
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
        var chainWork = writes ? await TransfersAsync(rpcHttp, recipient) : async () =>
        {
            var chainId = (await RpcAsync(rpcHttp, "eth_chainId")).GetString()!;
            var head = (await RpcAsync(rpcHttp, "eth_blockNumber")).GetString()!;
            return (chainId, head, $"get_chain_info() returned: {chainId} {head}");
        };
        async Task DirectAsync()
        {
            var id = Guid.CreateVersion7().ToString();
            await using var db = new MySqlConnection(builder.ConnectionString);
            await db.OpenAsync();
            await using (var insert = new MySqlCommand("INSERT INTO tasks (id, goal, status) VALUES (@id, @goal, 'running')", db))
            {
                insert.Parameters.AddWithValue("@id", id);
                insert.Parameters.AddWithValue("@goal", goal);
                await insert.ExecuteNonQueryAsync();
            }
            var (chainId, block, observation) = await chainWork();
            // The task result's shape: the chain id and block as the quantities the RPC answered, observations readable.
            var result = $"{{\"chain_id\":\"{chainId}\",\"block_number\":\"{block}\",\"observations\":\"{observation}\"}}";
            var typedData = TaskOutcomeTypedData.Build(id, goal, result, new byte[32], 0, [], DateTimeOffset.UtcNow.ToUnixTimeSeconds());
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

    /// <summary>
    /// The floor's write: 0.001 ETH from a wallet of its own (funded by anvil, nonces counted here), signed as ChainService
    /// signs (EIP-1559, <see cref="Secp256k1Signer"/>), sent with eth_sendRawTransaction, then its receipt polled until mined.
    /// </summary>
    private static async Task<Func<Task<(string ChainId, string Block, string Observation)>>> TransfersAsync(HttpClient rpc, string recipient)
    {
        var wallet = new Secp256k1Signer(EthECKey.GenerateKey().GetPrivateKeyAsBytes());
        await RpcAsync(rpc, "anvil_setBalance", wallet.Address, "0x3635c9adc5dea00000"); // 1000 ETH
        var chainIdHex = (await RpcAsync(rpc, "eth_chainId")).GetString()!;
        var chainId = new HexBigInteger(chainIdHex).Value;
        long nonce = 0;
        var value = Nethereum.Web3.Web3.Convert.ToWei(0.001m);
        // Sent in nonce order (the lock is held across the send, which ChainService's nonce lock is not: it covers the nonce,
        // the signature and the row): anvil mines a transaction queued behind a nonce gap only when a later one arrives,
        // which at the end of a phase never does.
        var sending = new SemaphoreSlim(1);
        return async () =>
        {
            string hash;
            await sending.WaitAsync();
            try
            {
                var raw = wallet.SignTransaction(new Nethereum.Model.Transaction1559(chainId, nonce, 1_000_000_000, 100_000_000_000,
                    21_000, recipient, value, null, null));
                hash = (await RpcAsync(rpc, "eth_sendRawTransaction", "0x" + raw)).GetString()!;
                nonce++;
            }
            finally
            {
                sending.Release();
            }
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                var receipt = await RpcAsync(rpc, "eth_getTransactionReceipt", hash);
                if (receipt.ValueKind == JsonValueKind.Object)
                {
                    if (receipt.GetProperty("status").GetString() != "0x1") throw new InvalidOperationException($"transfer {hash} reverted");
                    return (chainIdHex, receipt.GetProperty("blockNumber").GetString()!, $"transfer_native() returned: {hash}");
                }
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"transfer {hash} not mined after 60 s");
                await Task.Delay(5);
            }
        };
    }

    private static async Task<JsonElement> RpcAsync(HttpClient http, string method, params object[] args)
    {
        using var response = await http.PostAsJsonAsync("", new { jsonrpc = "2.0", id = 1, method, @params = args });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.TryGetProperty("result", out var result) ? result : throw new InvalidOperationException($"{method}: {body}");
    }
}
