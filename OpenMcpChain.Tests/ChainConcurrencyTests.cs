using System.Net.Http.Json;
using System.Numerics;
using System.Text.Json;
using Nethereum.Web3;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Tests;

/// <summary>Writes racing each other: one idempotency key sends once, and a task's budget holds under parallel spending.</summary>
[Collection(SystemCollection.Name)]
public sealed class ChainConcurrencyTests(SystemFixture system)
{
    private static string NewRecipient() => Nethereum.Signer.EthECKey.GenerateKey().GetPublicAddress();

    [Fact]
    public async Task TwentyConcurrentWritesWithOneIdempotencyKeySendExactlyOneTransaction()
    {
        var chain = await system.GetChainServiceAsync();
        var to = NewRecipient();
        var key = $"race-{Guid.NewGuid():N}";
        var nonce = await chain.WalletNonceAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            chain.CreateClient().ToolAsync("transfer_native", new { to, amount = "0.01", idempotency_key = key })));

        var hash = Assert.Single(results.Select(r => r.GetProperty("tx_hash").GetString()).Distinct());
        Assert.NotNull(await chain.Devnet.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(hash));
        Assert.Equal(nonce + 1, await chain.WalletNonceAsync());
        Assert.Equal(Web3.Convert.ToWei(0.01m), (await chain.Devnet.Eth.GetBalance.SendRequestAsync(to)).Value);
    }

    [Fact]
    public async Task ConcurrentWritesUnderOneTaskBudgetNeverOvershootIt()
    {
        var chain = await system.GetChainServiceAsync();
        var taskId = $"budget-race-{Guid.NewGuid():N}"[..40];
        var recipients = Enumerable.Range(0, 10).Select(_ => NewRecipient()).ToList();

        // The task budget is 1 ETH: of ten parallel 0.3 ETH sends, three fit.
        var answers = await Task.WhenAll(recipients.Select(async to =>
        {
            using var response = await chain.CreateClient(taskId: taskId).PostAsJsonAsync("/api/tools/transfer_native", new { to, amount = "0.3" }, OpenMcpChainJson.Options);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            return (response.IsSuccessStatusCode, Error: response.IsSuccessStatusCode ? null : ChainToolError.From(body));
        }));

        Assert.Equal(3, answers.Count(a => a.IsSuccessStatusCode));
        Assert.All(answers.Where(a => !a.IsSuccessStatusCode), a =>
            Assert.Equal(("POLICY_BUDGET_EXCEEDED", "POLICY_BUDGET_EXCEEDED"), (a.Error?.Code, a.Error?.PolicyDecision)));
        var sent = BigInteger.Zero;
        foreach (var to in recipients) sent += (await chain.Devnet.Eth.GetBalance.SendRequestAsync(to)).Value;
        Assert.Equal(Web3.Convert.ToWei(0.9m), sent);
    }
}
