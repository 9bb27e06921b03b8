extern alias chainservice;
using System.Text.Json;
using chainservice::OpenMcpChain.ChainService.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Nethereum.Model;
using Nethereum.Signer;
using Nethereum.Util;
using Nethereum.Web3;

namespace OpenMcpChain.Tests;

[Collection(SystemCollection.Name)]
public sealed class ChainRecoveryTests(SystemFixture system)
{
    [Fact]
    public async Task TransactionStoredBeforeACrashIsResentWithTheSameHashAndNeverTwice()
    {
        var chain = await system.GetChainServiceAsync();
        var to = EthECKey.GenerateKey().GetPublicAddress();
        var key = $"crash-{Guid.NewGuid():N}";
        var nonce = await chain.WalletNonceAsync();

        // What the service leaves behind when it dies between storing a signed transaction and broadcasting it.
        var value = Web3.Convert.ToWei(0.03m);
        var (hash, _) = await StoreSignedAsync(chain, to, key, nonce, value);
        Assert.Null(await chain.Devnet.Eth.Transactions.GetTransactionByHash.SendRequestAsync(hash));

        Nethereum.RPC.Eth.DTOs.TransactionReceipt? receipt = null;
        for (var i = 0; i < 60 && receipt is null; i++)
        {
            await Task.Delay(200);
            receipt = await chain.Devnet.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(hash);
        }
        Assert.NotNull(receipt);

        // The caller repeating its request gets the same transaction; nothing new is signed or sent.
        var repeated = await chain.CreateClient().ToolAsync("transfer_native", new { to, amount = "0.03", idempotency_key = key });
        Assert.Equal(hash, repeated.GetProperty("tx_hash").GetString());
        Assert.Equal(nonce + 1, await chain.WalletNonceAsync());
        Assert.Equal(value, (await chain.Devnet.Eth.GetBalance.SendRequestAsync(to)).Value);
    }

    [Fact]
    public async Task StoredTransactionWhoseNonceWasTakenIsResignedWithAFreshNonceAndSentOnce()
    {
        var chain = await system.GetChainServiceAsync();
        var to = EthECKey.GenerateKey().GetPublicAddress();
        var key = $"taken-{Guid.NewGuid():N}";
        await chain.CreateClient().ToolAsync("transfer_native", new { to = EthECKey.GenerateKey().GetPublicAddress(), amount = "0.01" });
        var taken = await chain.WalletNonceAsync() - 1; // already used on chain by the transfer just made

        var (stale, _) = await StoreSignedAsync(chain, to, key, taken, Web3.Convert.ToWei(0.02m));

        var repeated = await WaitForConfirmedAsync(chain, to, key, "0.02");
        Assert.NotEqual(stale, repeated.GetProperty("tx_hash").GetString());
        Assert.True(repeated.GetProperty("nonce").GetInt64() > taken);
        Assert.Equal(Web3.Convert.ToWei(0.02m), (await chain.Devnet.Eth.GetBalance.SendRequestAsync(to)).Value);
        Assert.Null(await chain.Devnet.Eth.Transactions.GetTransactionByHash.SendRequestAsync(stale));
    }

    private static async Task<(string Hash, string Raw)> StoreSignedAsync(ChainServiceFixture chain, string to, string key, long nonce, System.Numerics.BigInteger value)
    {
        var fees = await chain.Devnet.FeeSuggestion.GetSimpleFeeSuggestionStrategy().SuggestFeeAsync();
        var raw = "0x" + new Transaction1559Signer().SignTransaction(new EthECKey(ChainServiceFixture.WalletKey),
            new Transaction1559(31337, nonce, fees.MaxPriorityFeePerGas!.Value, fees.MaxFeePerGas!.Value, 21_000, to, value, "0x", null));
        var hash = "0x" + Sha3Keccack.Current.CalculateHashFromHex(raw);
        await using var scope = chain.GetService<IServiceScopeFactory>().CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChainDbContext>();
        db.Transactions.Add(new ChainTransaction
        {
            IdempotencyKey = key, Network = "devnet", Wallet = "default", From = chain.WalletAddress, To = to,
            Value = value.ToString(), Data = "0x", Nonce = nonce, GasLimit = 21_000, RawTransaction = raw, TxHash = hash,
            Status = TransactionStatuses.Signed, Caller = "agent",
            CreatedAt = DateTimeOffset.UtcNow.AddMinutes(-1), UpdatedAt = DateTimeOffset.UtcNow.AddMinutes(-1),
        });
        await db.SaveChangesAsync();
        return (hash, raw);
    }

    private static async Task<JsonElement> WaitForConfirmedAsync(ChainServiceFixture chain, string to, string key, string amount)
    {
        for (var i = 0; i < 60; i++)
        {
            await Task.Delay(200);
            if ((await chain.Devnet.Eth.GetBalance.SendRequestAsync(to)).Value > 0) break;
        }
        return await chain.CreateClient().ToolAsync("transfer_native", new { to, amount, idempotency_key = key });
    }

    [Fact]
    public async Task McpClientsSeeAnnotatedToolsAndCanCallThem()
    {
        var chain = await system.GetChainServiceAsync();
        await using var mcp = await chain.ConnectMcpAsync();

        var tools = (await mcp.ListToolsAsync()).ToDictionary(t => t.Name);

        Assert.True(tools["get_balance"].ProtocolTool.Annotations?.ReadOnlyHint);
        Assert.True(tools["transfer_native"].ProtocolTool.Annotations?.DestructiveHint);
        Assert.All(tools.Values, t => Assert.False(string.IsNullOrWhiteSpace(t.Description)));
        var result = await mcp.CallAsync("get_balance", new Dictionary<string, object?> { ["address"] = chain.WalletAddress });
        Assert.NotEqual(true, result.IsError);
        var balance = result.StructuredContent!.Value.Deserialize<JsonElement>();
        Assert.Equal(chain.WalletAddress, balance.GetProperty("address").GetString());

        var denied = await mcp.CallAsync("transfer_native", new Dictionary<string, object?> { ["to"] = chain.WalletAddress, ["amount"] = "5" });
        Assert.Equal(("POLICY_VALUE_CAP", "POLICY_VALUE_CAP"), (denied.Error().Code, denied.Error().PolicyDecision));
        Assert.Contains("per-transaction cap", denied.Text()); // and a sentence for people
    }
}
