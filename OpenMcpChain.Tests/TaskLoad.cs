using System.Collections.Concurrent;
using System.Numerics;
using System.Text.Json;
using Nethereum.Signer;
using Nethereum.Web3;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Tests;

/// <summary>
/// Tasks submitted as a user would — native transfers, each to a fresh address of its own, and reads — and what became
/// of them: whether every task answered 202 still exists and finished, and what each transfer moved on chain.
/// </summary>
public sealed class TaskLoad
{
    public const decimal Amount = 0.001m;
    private static readonly BigInteger AmountWei = Web3.Convert.ToWei(Amount);
    private readonly ConcurrentDictionary<string, string?> _acknowledged = new(); // task id → its transfer's recipient
    private int _submitted;

    public int Submitted => _submitted;
    public int Acknowledged => _acknowledged.Count;

    /// <summary>
    /// Submits <paramref name="transfers"/> transfers and <paramref name="reads"/> reads, interleaved and eight at a time,
    /// so that most are still in flight when the last is acknowledged; a refusal is counted as submitted only.
    /// </summary>
    public Task SubmitAsync(OpenMcpChainClient client, int transfers, int reads)
    {
        var total = transfers + reads;
        // Spread the transfers evenly among the reads.
        return Parallel.ForEachAsync(Enumerable.Range(0, total), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, _) => await SubmitOneAsync(client, isTransfer: (i + 1) * transfers / total > i * transfers / total));
    }

    /// <summary>One task; true when the system acknowledged it (202).</summary>
    public async Task<bool> SubmitOneAsync(OpenMcpChainClient client, bool isTransfer)
    {
        Interlocked.Increment(ref _submitted);
        var recipient = isTransfer ? EthECKey.GenerateKey().GetPublicAddress() : null;
        var goal = isTransfer ? $"Send {Amount} ETH to {recipient}" : "What is the latest block number?";
        try
        {
            var task = await client.CreateTaskAsync(new CreateTaskRequest(goal));
            _acknowledged[task.TaskId] = recipient;
            return true;
        }
        catch (Exception e) when (e is OpenMcpChainException or HttpRequestException or TaskCanceledException)
        {
            return false; // refused or unanswered: never acknowledged, so nothing was promised
        }
    }

    /// <summary>The acknowledged tasks as the system lists them now (those it cannot list are missing).</summary>
    public async Task<Dictionary<string, TaskResponse>> ListAsync(OpenMcpChainClient client)
    {
        var found = new Dictionary<string, TaskResponse>();
        for (var offset = 0; ; offset += 100)
        {
            var page = await client.ListTasksAsync($"limit=100&offset={offset}&order=asc");
            foreach (var task in page.Tasks.Where(t => _acknowledged.ContainsKey(t.TaskId))) found[task.TaskId] = task;
            if (!page.HasMore) return found;
        }
    }

    /// <summary>Transfers that succeeded, with the transaction each one's result names.</summary>
    public async Task<List<(string TaskId, string TxHash)>> SucceededTransfersAsync(OpenMcpChainClient client) =>
        [.. (await ListAsync(client)).Values
            .Where(t => _acknowledged[t.TaskId] is not null && t.Status == TaskStatuses.Succeeded && SentHash(t) is not null)
            .Select(t => (t.TaskId, SentHash(t)!))];

    /// <summary>
    /// Waits until every acknowledged task is final or <paramref name="timeout"/> passes, then compares with the chain:
    /// a recipient holding more than one amount got a transfer twice; a succeeded transfer must name its confirmed
    /// transaction and its recipient must hold exactly the amount; a failed one must have sent nothing.
    /// </summary>
    public async Task<LoadFigures> SettleAsync(OpenMcpChainClient client, Web3 chain, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var tasks = new Dictionary<string, TaskResponse>();
        while (true)
        {
            try
            {
                tasks = await ListAsync(client);
            }
            catch (Exception e) when (e is OpenMcpChainException or HttpRequestException or TaskCanceledException)
            {
                // The API itself may still be recovering: keep asking until the deadline.
            }
            if (tasks.Count == _acknowledged.Count && tasks.Values.All(t => TaskStatuses.IsFinal(t.Status))) break;
            if (DateTime.UtcNow > deadline) break;
            await Task.Delay(1000);
        }

        var problems = new List<string>();
        int lost = 0, duplicated = 0, succeeded = 0, failed = 0;
        foreach (var (id, recipient) in _acknowledged)
        {
            if (!tasks.TryGetValue(id, out var task) || !TaskStatuses.IsFinal(task.Status))
            {
                lost++;
                problems.Add($"task {id} is {(task is null ? "gone" : $"still {task.Status}")} after {timeout.TotalSeconds:0} s");
                continue;
            }
            if (task.Status == TaskStatuses.Succeeded) succeeded++;
            else
            {
                failed++;
                problems.Add($"task {id} ({task.Goal}) ended {task.Status}: {task.Error?.Code} {task.Error?.Message}");
            }
            if (recipient is null) continue;
            var balance = (await chain.Eth.GetBalance.SendRequestAsync(recipient)).Value;
            if (balance > AmountWei)
            {
                duplicated++;
                problems.Add($"{recipient} (task {id}) holds {Web3.Convert.FromWei(balance)} ETH: the transfer was sent more than once");
            }
            else if (task.Status == TaskStatuses.Succeeded && (SentHash(task) is null || balance != AmountWei))
                problems.Add($"task {id} succeeded, but its result names {SentHash(task) ?? "no confirmed transaction"} and {recipient} holds {Web3.Convert.FromWei(balance)} ETH; " +
                             $"its transfer_native answered: {string.Join(" | ", task.Result?.ToolCalls.Where(o => o.Tool == "transfer_native").Select(o => o.Output) ?? [])}");
            else if (task.Status != TaskStatuses.Succeeded && balance != 0)
                problems.Add($"task {id} ended {task.Status}, yet {recipient} received {Web3.Convert.FromWei(balance)} ETH");
        }
        return new LoadFigures(_submitted, _acknowledged.Count, succeeded, failed, lost, duplicated, problems);
    }

    /// <summary>The confirmed transaction a finished transfer task's result names, if any.</summary>
    public static string? SentHash(TaskResponse task)
    {
        foreach (var observation in task.Result?.ToolCalls.Where(o => o.Tool == "transfer_native" && !o.IsError) ?? [])
        {
            try
            {
                using var output = JsonDocument.Parse(observation.Output);
                if (output.RootElement.TryGetProperty("status", out var status) && status.GetString() == "confirmed")
                    return output.RootElement.GetProperty("tx_hash").GetString();
            }
            catch (JsonException)
            {
            }
        }
        return null;
    }
}

/// <summary>The figures of a load under a fault: every count a user would ask about, and what went wrong, one line each.</summary>
public sealed record LoadFigures(int Submitted, int Acknowledged, int Succeeded, int Failed, int Lost, int DuplicatedSends, IReadOnlyList<string> Problems)
{
    public override string ToString() =>
        $"tasks submitted {Submitted}, acknowledged (202) {Acknowledged}, succeeded {Succeeded}, failed {Failed}, lost {Lost}, duplicated sends {DuplicatedSends}";
}
