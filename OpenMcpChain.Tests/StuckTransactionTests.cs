extern alias chainservice;
using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net.Http.Json;
using System.Numerics;
using System.Text.Json;
using chainservice::OpenMcpChain.ChainService.Infrastructure;
using chainservice::OpenMcpChain.ChainService.Telemetry;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nethereum.Signer;
using Nethereum.Web3;
using StackExchange.Redis;

namespace OpenMcpChain.Tests;

/// <summary>Writes on a chain that does not mine them at once: stuck ones are re-priced, reorged ones are not claimed.</summary>
[Collection(SystemCollection.Name)]
public sealed class StuckTransactionTests(SystemFixture system)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task WriteLeftUnminedIsReplacedAtTheSameNonceWithHigherFeesUpToTheCapAndCountedOnce()
    {
        using var metrics = new NetworkMetrics("stucknet");
        await using var anvil = await AnvilProcess.StartAsync();
        await using var chain = await PrivateChainService.StartAsync(system, "stucknet", anvil.RpcUrl, new Dictionary<string, string?>
        {
            ["Networks:stucknet:StuckAfterBlocks"] = "2",
            ["Networks:stucknet:PriorityFee"] = "0", // a tip no block producer has a reason to take
            ["Networks:stucknet:Policy:MaxFeePerGas"] = "500",
        });
        await anvil.RpcAsync("evm_setAutomine", false);
        var taskId = $"stuck-{Guid.NewGuid():N}";
        var to = EthECKey.GenerateKey().GetPublicAddress();
        var write = chain.Client(taskId).ToolAsync("transfer_native", new { to, amount = "0.25", network = "stucknet" });

        // The first signature reaches the pool; then the network gets busy (base fee 100 gwei) and mines a block a second.
        var first = await SignedAsync(chain, taskId);
        await TaskWaits.UntilAsync(async () => await anvil.Web3.Eth.Transactions.GetTransactionByHash.SendRequestAsync(first.TxHash) is not null,
            Deadline, "the first signature in the pool");
        await anvil.RpcAsync("anvil_setNextBlockBaseFeePerGas", "0x174876e800");
        await anvil.RpcAsync("evm_setIntervalMining", 1);

        var result = await write.WaitAsync(Deadline);
        Assert.Equal("confirmed", result.GetProperty("status").GetString());
        Assert.Equal(first.Nonce, result.GetProperty("nonce").GetInt64());
        var finalHash = result.GetProperty("tx_hash").GetString()!;
        Assert.NotEqual(first.TxHash, finalHash);
        Assert.Null(await anvil.Web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(first.TxHash));
        // EIP-1559 replacement: both fees at least 10 % up; never above the policy's cap.
        var mined = await anvil.Web3.Eth.Transactions.GetTransactionByHash.SendRequestAsync(finalHash);
        Assert.True(mined.MaxFeePerGas.Value * 100 >= BigInteger.Parse(first.MaxFeePerGas!) * 110, $"max fee {mined.MaxFeePerGas.Value} after {first.MaxFeePerGas}");
        Assert.True(mined.MaxPriorityFeePerGas.Value > 0 && mined.MaxPriorityFeePerGas.Value * 100 >= BigInteger.Parse(first.MaxPriorityFeePerGas!) * 110);
        Assert.True(mined.MaxFeePerGas.Value <= Web3.Convert.ToWei(500, Nethereum.Util.UnitConversion.EthUnit.Gwei));

        // Sent once, counted once, recorded with its replacements, and logged.
        Assert.Equal(Web3.Convert.ToWei(0.25m), await anvil.BalanceAsync(to));
        Assert.Equal(250_000_000L, (long)await chain.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase().StringGetAsync($"budget:stucknet:task:{taskId}"));
        var (rows, replacements) = await RecordsAsync(chain, taskId);
        var row = Assert.Single(rows);
        Assert.Equal((finalHash, "confirmed"), (row.TxHash, row.Status));
        Assert.Equal(row.Replacements, replacements.Count);
        Assert.Equal(first.TxHash, replacements[0].ReplacedHash);
        Assert.Equal(finalHash, replacements[^1].TxHash);
        var logged = await LoggedAsync(taskId, e => e.GetProperty("type").GetString() == "chain_tx_receipt");
        Assert.Contains(logged, e => e.GetProperty("type").GetString() == "chain_tx_replaced" && e.GetProperty("replaced_hash").GetString() == first.TxHash);
        var receipt = Assert.Single(logged, e => e.GetProperty("type").GetString() == "chain_tx_receipt");
        Assert.Equal((finalHash, "confirmed", row.Replacements), (receipt.GetProperty("tx_hash").GetString(), receipt.GetProperty("status").GetString(), receipt.GetProperty("replacements").GetInt32()));
        // The dashboard's figures: every replacement, and the value once.
        Assert.Equal((double)row.Replacements, metrics.Total("openmcpchain.transactions.replaced"));
        Assert.Equal(0.25, metrics.Total("openmcpchain.value.sent"));
    }

    [Fact]
    public async Task ReceiptTakenAwayByAReorgBeforeTheConfirmationDepthIsNeverClaimedAndTheWriteLandsOnce()
    {
        await using var anvil = await AnvilProcess.StartAsync();
        await using var chain = await PrivateChainService.StartAsync(system, "reorgnet", anvil.RpcUrl, new Dictionary<string, string?>
        {
            ["Networks:reorgnet:ConfirmationDepth"] = "3",
            ["Networks:reorgnet:StuckAfterBlocks"] = "0",
        });
        await anvil.RpcAsync("evm_setAutomine", false);
        var taskId = $"reorg-{Guid.NewGuid():N}";
        var to = EthECKey.GenerateKey().GetPublicAddress();
        var write = chain.Client(taskId).ToolAsync("transfer_native", new { to, amount = "0.3", network = "reorgnet" });
        var first = await SignedAsync(chain, taskId);
        await TaskWaits.UntilAsync(async () => await anvil.Web3.Eth.Transactions.GetTransactionByHash.SendRequestAsync(first.TxHash) is not null,
            Deadline, "the write in the pool");

        // Mined one block deep: seen, but not final at depth 3.
        await anvil.RpcAsync("evm_mine");
        await TaskWaits.UntilAsync(async () => (await RecordsAsync(chain, taskId)).Rows.Single().BlockNumber is not null, Deadline, "ChainService to see the write mined");
        Assert.False(write.IsCompleted, "answered at depth 1");

        // The block is replaced by an empty one: the receipt is gone, and the write is noticed and sent again.
        await anvil.RpcAsync("anvil_reorg", 1, Array.Empty<object>());
        Assert.Null(await anvil.Web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(first.TxHash));
        await TaskWaits.UntilAsync(async () => (await RecordsAsync(chain, taskId)).Rows.Single().Reorgs == 1
                                             && await anvil.Web3.Eth.Transactions.GetTransactionByHash.SendRequestAsync(first.TxHash) is not null,
            Deadline, "the reorged write to be sent again");
        Assert.False(write.IsCompleted, "answered on a receipt a reorg took away");

        for (var i = 0; i < 3; i++) await anvil.RpcAsync("evm_mine");
        var result = await write.WaitAsync(Deadline);
        Assert.Equal(("confirmed", first.TxHash), (result.GetProperty("status").GetString(), result.GetProperty("tx_hash").GetString()));
        var onChain = await anvil.Web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(first.TxHash);
        Assert.Equal((long)onChain.BlockNumber.Value, result.GetProperty("block_number").GetInt64());
        Assert.Equal(Web3.Convert.ToWei(0.3m), await anvil.BalanceAsync(to));
        Assert.Equal(300_000_000L, (long)await chain.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase().StringGetAsync($"budget:reorgnet:task:{taskId}"));
        var receipt = Assert.Single(await LoggedAsync(taskId, e => e.GetProperty("type").GetString() == "chain_tx_receipt"),
            e => e.GetProperty("type").GetString() == "chain_tx_receipt");
        Assert.Equal(1, receipt.GetProperty("reorgs").GetInt32());
    }

    [Fact]
    public async Task ReplacedWriteWhoseOriginalSignatureIsMinedIsConfirmedAsThatOneAndNeverSentTwice()
    {
        using var metrics = new NetworkMetrics("minedoldnet");
        await using var anvil = await AnvilProcess.StartAsync();
        await using var chain = await PrivateChainService.StartAsync(system, "minedoldnet", anvil.RpcUrl, new Dictionary<string, string?>
        {
            ["Networks:minedoldnet:StuckAfterBlocks"] = "2",
            ["Networks:minedoldnet:PriorityFee"] = "0",
            ["Networks:minedoldnet:Policy:MaxFeePerGas"] = "500",
            ["Networks:minedoldnet:ReceiptTimeout"] = "00:00:02", // the request answers 'broadcast'; the recovery worker follows the write
        });
        await anvil.RpcAsync("evm_setAutomine", false);
        var taskId = $"minedold-{Guid.NewGuid():N}";
        var to = EthECKey.GenerateKey().GetPublicAddress();
        var write = chain.Client(taskId).ToolAsync("transfer_native", new { to, amount = "0.25", network = "minedoldnet" });
        var first = await SignedAsync(chain, taskId);
        await TaskWaits.UntilAsync(async () => await anvil.Web3.Eth.Transactions.GetTransactionByHash.SendRequestAsync(first.TxHash) is not null,
            Deadline, "the first signature in the pool");

        // Blocks too dear for the first signature go by until it is replaced.
        await anvil.RpcAsync("anvil_setNextBlockBaseFeePerGas", "0x174876e800");
        string? second = null;
        await TaskWaits.UntilAsync(async () =>
        {
            var row = (await RecordsAsync(chain, taskId)).Rows.Single();
            second = row.Replacements > 0 ? row.TxHash : null;
            if (second is null) await anvil.RpcAsync("evm_mine"); // no block once the replacement is signed: it must not be mined
            return second is not null;
        }, Deadline, "the write replaced");
        await TaskWaits.UntilAsync(async () => await anvil.Web3.Eth.Transactions.GetTransactionByHash.SendRequestAsync(second!) is not null,
            Deadline, "the replacement in the pool");
        await write.WaitAsync(Deadline);

        // The node forgets the replacement and mines the original signature instead.
        await anvil.RpcAsync("anvil_dropTransaction", second!);
        await anvil.RpcAsync("anvil_setNextBlockBaseFeePerGas", "0x1");
        await anvil.Web3.Eth.Transactions.SendRawTransaction.SendRequestAsync(first.RawTransaction);
        await anvil.RpcAsync("evm_mine");
        Assert.NotNull(await anvil.Web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(first.TxHash));

        ChainTransaction? final = null;
        await TaskWaits.UntilAsync(async () => (final = (await RecordsAsync(chain, taskId)).Rows.Single()).Status == "confirmed",
            Deadline, "the write confirmed as its original signature");
        await anvil.RpcAsync("evm_mine"); // a second signature in the pool would land now
        Assert.Equal(first.TxHash, final!.TxHash);
        Assert.Equal(Web3.Convert.ToWei(0.25m), await anvil.BalanceAsync(to));
        Assert.Equal(first.Nonce + 1, (long)(await anvil.Web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(first.From)).Value);
        Assert.Equal(250_000_000L, (long)await chain.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase().StringGetAsync($"budget:minedoldnet:task:{taskId}"));
        // Counted once, at the confirmation, not when the request answered 'broadcast': by the tracker that stored it, just
        // after its commit (which the row showed this test a moment earlier).
        await TaskWaits.UntilAsync(() => Task.FromResult(metrics.Total("openmcpchain.value.sent") > 0), Deadline, "the confirmed value counted");
        Assert.Equal(0.25, metrics.Total("openmcpchain.value.sent"));
    }

    [Fact]
    public async Task ReplacementTheNodeRefusedButTheChainMinedIsConfirmedWithItsOwnBytes()
    {
        await using var anvil = await AnvilProcess.StartAsync();
        await using var chain = await PrivateChainService.StartAsync(system, "givenupnet", anvil.RpcUrl, new Dictionary<string, string?>
        {
            ["Networks:givenupnet:StuckAfterBlocks"] = "2",
            ["Networks:givenupnet:PriorityFee"] = "0",
            ["Networks:givenupnet:Policy:MaxFeePerGas"] = "500",
        });
        await anvil.RpcAsync("evm_setAutomine", false);
        var taskId = $"givenup-{Guid.NewGuid():N}";
        var to = EthECKey.GenerateKey().GetPublicAddress();
        var write = chain.Client(taskId).ToolAsync("transfer_native", new { to, amount = "0.25", network = "givenupnet" });
        var first = await SignedAsync(chain, taskId);
        await TaskWaits.UntilAsync(async () => await anvil.Web3.Eth.Transactions.GetTransactionByHash.SendRequestAsync(first.TxHash) is not null,
            Deadline, "the first signature in the pool");

        // The wallet holds enough for the first signature but not for a replacement at 100 gwei: the node refuses it.
        await anvil.RpcAsync("anvil_setBalance", first.From, new Nethereum.Hex.HexTypes.HexBigInteger(Web3.Convert.ToWei(0.251m)).HexValue);
        await anvil.RpcAsync("anvil_setNextBlockBaseFeePerGas", "0x174876e800");
        TransactionReplacement? givenUp = null;
        await TaskWaits.UntilAsync(async () =>
        {
            var (rows, replacements) = await RecordsAsync(chain, taskId);
            givenUp = rows.Single().TxHash == first.TxHash ? replacements.LastOrDefault() : null;
            if (givenUp is null) await anvil.RpcAsync("evm_mine");
            return givenUp is not null;
        }, Deadline, "a replacement refused and given up");
        var refused = givenUp!;
        Assert.Null(await anvil.Web3.Eth.Transactions.GetTransactionByHash.SendRequestAsync(refused.TxHash));

        // The given-up signature reaches the chain after all (another node took it): the same fees at the same nonce.
        await anvil.RpcAsync("anvil_setBalance", first.From, new Nethereum.Hex.HexTypes.HexBigInteger(Web3.Convert.ToWei(100)).HexValue);
        var raw = "0x" + new Transaction1559Signer().SignTransaction(new EthECKey(PrivateChainService.WalletKey), new Nethereum.Model.Transaction1559(
            31337, first.Nonce, BigInteger.Parse(refused.MaxPriorityFeePerGas), BigInteger.Parse(refused.MaxFeePerGas), first.GasLimit, to,
            Web3.Convert.ToWei(0.25m), first.Data, null));
        Assert.Equal(refused.TxHash, await anvil.Web3.Eth.Transactions.SendRawTransaction.SendRequestAsync(raw));
        await anvil.RpcAsync("evm_mine");

        var result = await write.WaitAsync(Deadline);
        Assert.Equal(("confirmed", refused.TxHash), (result.GetProperty("status").GetString(), result.GetProperty("tx_hash").GetString()));
        var row = (await RecordsAsync(chain, taskId)).Rows.Single();
        // The row's bytes are the mined signature's: what a reorg or a lost block would send again.
        Assert.Equal((refused.TxHash, raw, "confirmed"), (row.TxHash, row.RawTransaction, row.Status));
        Assert.Equal(Web3.Convert.ToWei(0.25m), await anvil.BalanceAsync(to));
    }

    /// <summary>What ChainService's meter records for one network: its instruments are process-wide, the network is the test's own.</summary>
    private sealed class NetworkMetrics : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentDictionary<string, double> _totals = new();

        public NetworkMetrics(string network)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == ChainTelemetry.Name) listener.EnableMeasurementEvents(instrument);
            };
            void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
            {
                foreach (var tag in tags)
                    if (tag.Key == "network" && Equals(tag.Value, network)) _totals.AddOrUpdate(instrument.Name, value, (_, total) => total + value);
            }
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
            _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
            _listener.Start();
        }

        public double Total(string instrument) => _totals.GetValueOrDefault(instrument);

        public void Dispose() => _listener.Dispose();
    }

    /// <summary>The write's stored row once it is signed.</summary>
    private static async Task<ChainTransaction> SignedAsync(WebApplicationFactory<chainservice::Program> chain, string taskId)
    {
        ChainTransaction? row = null;
        await TaskWaits.UntilAsync(async () => (row = (await RecordsAsync(chain, taskId)).Rows.SingleOrDefault()) is not null, Deadline, "the write to be signed");
        return row!;
    }

    private static async Task<(List<ChainTransaction> Rows, List<TransactionReplacement> Replacements)> RecordsAsync(
        WebApplicationFactory<chainservice::Program> chain, string taskId)
    {
        await using var scope = chain.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChainDbContext>();
        var rows = await db.Transactions.AsNoTracking().Where(t => t.TaskId == taskId).ToListAsync();
        var ids = rows.Select(r => r.Id).ToList();
        return (rows, await db.Replacements.AsNoTracking().Where(r => ids.Contains(r.TransactionId)).OrderBy(r => r.Id).ToListAsync());
    }

    /// <summary>The task's transparency-log entries once one matches <paramref name="until"/>.</summary>
    private async Task<List<JsonElement>> LoggedAsync(string taskId, Func<JsonElement, bool> until)
    {
        var proofs = system.CreateClient("proofservice");
        var entries = new List<JsonElement>();
        await TaskWaits.UntilAsync(async () =>
        {
            var page = await proofs.GetFromJsonAsync<JsonElement>($"/api/log/entries?task_id={taskId}");
            entries = page.EnumerateArray().Select(e => JsonDocument.Parse(e.GetProperty("entry").GetString()!).RootElement).ToList();
            return entries.Any(until);
        }, Deadline, $"the log entries of {taskId}");
        return entries;
    }
}
