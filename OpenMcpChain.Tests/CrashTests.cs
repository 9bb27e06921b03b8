using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Abstractions;

namespace OpenMcpChain.Tests;

/// <summary>The whole system killed at once in the middle of its work, then started again on the same data.</summary>
[Collection(RestartCollection.Name)]
public sealed class CrashTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);
    // A running task whose worker died is taken over once its claim has been idle this long (3 min by default: more than
    // a test can wait). Every process the AppHost starts inherits it.
    private static readonly Dictionary<string, string> Settings = new() { ["Agent__ReclaimAfter"] = "00:00:05" };

    [Fact]
    public async Task KillingEveryProcessMidLoadLosesNoAcknowledgedTaskSendsNoTransferTwiceAndTheLogStillVerifies()
    {
        var data = Directory.CreateTempSubdirectory("openmcp-crash-").FullName;
        try
        {
            var load = new TaskLoad();
            string savedChain;
            List<(string TaskId, string TxHash)> sentBeforeKill;
            await using (var first = await AppHostProcess.StartAsync(data, Settings))
            {
                var warmUp = new TaskLoad();
                await warmUp.SubmitAsync(first.Client, transfers: 1, reads: 0);
                Assert.Empty((await warmUp.SettleAsync(first.Client, first.Devnet, Deadline)).Problems);
                var (_, warmHash) = Assert.Single(await warmUp.SucceededTransfersAsync(first.Client));
                savedChain = await SaveChainAsync(data, warmHash);

                await load.SubmitAsync(first.Client, transfers: 12, reads: 4);
                Assert.Equal(16, load.Acknowledged);
                // Killed once some transfers are confirmed while the others are still being worked on.
                await WaitUntilAsync(async () => (await load.SucceededTransfersAsync(first.Client)).Count >= 4, "four confirmed transfers");
                sentBeforeKill = await load.SucceededTransfersAsync(first.Client);
                await first.KillEverythingAsync();
            }

            // anvil saves its state every second, so a crash loses the blocks of its last second. Going back to the state it
            // had saved before the batch makes that loss certain: every transfer confirmed since is gone from the chain.
            var chainAfterCrash = File.ReadAllText(savedChain);
            File.Copy(savedChain, Path.Combine(data, "anvil", "state.json"), overwrite: true);
            var lostFromChain = sentBeforeKill.Where(t => !chainAfterCrash.Contains(t.TxHash, StringComparison.OrdinalIgnoreCase)).ToList();
            Assert.NotEmpty(lostFromChain);

            var clock = Stopwatch.StartNew();
            await using var second = await AppHostProcess.StartAsync(data, Settings);
            var upAfter = clock.Elapsed;
            // ChainService notices and sends the stored bytes again: the same hash, so the same signature and nonce.
            foreach (var (taskId, hash) in lostFromChain)
            {
                await WaitUntilAsync(async () => await second.Devnet.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(hash) is { } r
                                                 && r.Status.Value == 1, $"transaction {hash} of task {taskId}, lost in the crash, to be mined again");
            }
            var figures = await load.SettleAsync(second.Client, second.Devnet, Deadline);
            var settledAfter = clock.Elapsed;

            using var proofs = second.CreateClient("OpenMcpChain.ProofService");
            var verified = await proofs.GetFromJsonAsync<JsonElement>("api/log/verify");
            output.WriteLine($"SIGKILL of every process: {figures}; transfers confirmed before the kill {sentBeforeKill.Count}, " +
                             $"of which the chain lost {lostFromChain.Count} (re-sent with the same hash); " +
                             $"restart to healthy {upAfter.TotalSeconds:0.0} s, to every task final {settledAfter.TotalSeconds:0.0} s; " +
                             $"log verify: {verified.GetRawText()}");
            foreach (var problem in figures.Problems) output.WriteLine(problem);
            Assert.Equal(0, figures.Lost);
            Assert.Equal(0, figures.DuplicatedSends);
            Assert.Empty(figures.Problems);
            Assert.True(verified.GetProperty("ok").GetBoolean(), verified.GetRawText());
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>A copy of anvil's saved state once it holds <paramref name="hash"/> (read whole: anvil may be writing it).</summary>
    private static async Task<string> SaveChainAsync(string data, string hash)
    {
        var copy = Path.Combine(data, "anvil-state-before-batch.json");
        await WaitUntilAsync(() =>
        {
            try
            {
                var text = File.ReadAllText(Path.Combine(data, "anvil", "state.json"));
                using var _ = JsonDocument.Parse(text);
                if (!text.Contains(hash, StringComparison.OrdinalIgnoreCase)) return Task.FromResult(false);
                File.WriteAllText(copy, text);
                return Task.FromResult(true);
            }
            catch (Exception e) when (e is IOException or JsonException)
            {
                return Task.FromResult(false);
            }
        }, $"anvil to save a state holding {hash}");
        return copy;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Waited {Deadline.TotalSeconds:0} s for {what}.");
            await Task.Delay(250);
        }
    }
}
