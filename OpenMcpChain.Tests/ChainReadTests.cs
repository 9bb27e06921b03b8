using System.Net;
using System.Numerics;
using Nethereum.Web3;

namespace OpenMcpChain.Tests;

[Collection(SystemCollection.Name)]
public sealed class ChainReadTests(SystemFixture system)
{
    [Fact]
    public async Task ChainInfoAndBlocksMatchWhatTheDevnetReports()
    {
        var chain = await system.GetChainServiceAsync();
        var client = chain.CreateClient();
        var head = (long)(await chain.Devnet.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value;

        var info = await client.ToolAsync("get_chain_info", new { });
        Assert.Equal(31337, info.GetProperty("chain_id").GetInt64());
        Assert.True(info.GetProperty("block_number").GetInt64() >= head);

        var byNumber = await client.ToolAsync("get_block", new { block = "1" });
        var byHash = await client.ToolAsync("get_block", new { block = byNumber.GetProperty("hash").GetString() });
        Assert.Equal(1, byHash.GetProperty("number").GetInt64());
        Assert.Equal(byNumber.GetProperty("parent_hash").GetString(), byHash.GetProperty("parent_hash").GetString());
    }

    [Fact]
    public async Task BalancesAndTokenReadsAreDecoded()
    {
        var chain = await system.GetChainServiceAsync();
        var client = chain.CreateClient();
        var wei = (await chain.Devnet.Eth.GetBalance.SendRequestAsync(chain.WalletAddress)).Value;

        var native = await client.ToolAsync("get_balance", new { address = chain.WalletAddress.ToLowerInvariant() });
        Assert.Equal(chain.WalletAddress, native.GetProperty("address").GetString());
        // Nothing else spends from this wallet while the collection's tests run one at a time: the figures are exact.
        Assert.Equal(wei, BigInteger.Parse(native.GetProperty("wei").GetString()!));
        Assert.Equal(Web3.Convert.FromWei(wei).ToString(System.Globalization.CultureInfo.InvariantCulture), native.GetProperty("ether").GetString());

        var meta = await client.ToolAsync("get_erc20_metadata", new { token = chain.OtherToken });
        Assert.Equal("OT", meta.GetProperty("symbol").GetString());
        Assert.Equal(18, meta.GetProperty("decimals").GetInt32());
        var deployer = chain.Deployer.TransactionManager.Account.Address;
        var balance = await client.ToolAsync("get_erc20_balance", new { token = chain.OtherToken, owner = deployer });
        Assert.Equal("1000000", balance.GetProperty("amount").GetString());

        var call = await client.ToolAsync("call_contract", new
        {
            address = chain.OtherToken, signature = "balanceOf(address owner) view returns (uint256)", args = new[] { deployer },
        });
        Assert.Equal(Web3.Convert.ToWei(1_000_000).ToString(), call.GetProperty("values").GetProperty("out0").GetString());
    }

    [Fact]
    public async Task TransactionsReceiptsAndLogsAreReadBack()
    {
        var chain = await system.GetChainServiceAsync();
        var client = chain.CreateClient();
        var token = await chain.DeployTokenAsync("Logged", "LOG");
        var logs = await client.ToolAsync("get_logs", new
        {
            address = token, event_signature = "Transfer(address indexed from, address indexed to, uint256 value)",
        });
        var mint = Assert.Single(logs.GetProperty("logs").EnumerateArray());
        Assert.Equal("0x0000000000000000000000000000000000000000", mint.GetProperty("args").GetProperty("from").GetString());

        var hash = mint.GetProperty("tx_hash").GetString();
        var receipt = await client.ToolAsync("get_receipt", new { hash });
        Assert.Equal("success", receipt.GetProperty("status").GetString());
        Assert.Equal(token, receipt.GetProperty("contract_address").GetString(), ignoreCase: true);
        var tx = await client.ToolAsync("get_transaction", new { hash });
        Assert.Equal(chain.Deployer.TransactionManager.Account.Address, tx.GetProperty("from").GetString(), ignoreCase: true);

        var estimate = await client.ToolAsync("estimate_gas", new { to = chain.Token, signature = "setCounter(uint256)", args = new[] { 7 } });
        Assert.InRange(estimate.GetProperty("gas").GetInt64(), 21_000, 200_000);
    }

    [Theory]
    [InlineData("get_balance", "{\"address\":\"0x1234\"}", "INVALID_ADDRESS", "address")]
    [InlineData("get_balance", "{}", "INVALID_ARGUMENT", "address")]
    [InlineData("get_balance", "{\"address\":[1]}", "INVALID_ARGUMENT", "address")]
    [InlineData("get_chain_info", "{\"network\":\"mainnet-nope\"}", "UNKNOWN_NETWORK", "network")]
    [InlineData("get_transaction", "{\"hash\":\"0xabc\"}", "INVALID_ARGUMENT", "hash")]
    [InlineData("get_block", "{\"block\":\"yesterday\"}", "INVALID_ARGUMENT", "block")]
    [InlineData("call_contract", "{\"address\":\"0x70997970C51812dc3A010C7d01b50e0d17dc79C8\",\"signature\":\"not a signature\"}", "INVALID_ARGUMENT", "signature")]
    [InlineData("transfer_native", "{\"to\":\"0x70997970C51812dc3A010C7d01b50e0d17dc79C8\",\"amount\":\"lots\"}", "INVALID_ARGUMENT", "amount")]
    public async Task BadArgumentsGetStableCodesNamingTheirField(string tool, string json, string code, string field)
    {
        var chain = await system.GetChainServiceAsync();
        var client = chain.CreateClient();
        using var response = await client.PostAsync($"/api/tools/{tool}", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        var error = OpenMcpChain.Sdk.Contracts.ChainToolError.From(System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal((code, field), (error?.Code, error?.Field));
    }

    [Fact]
    public async Task CallsWithoutACallerKeyAreRefused()
    {
        var chain = await system.GetChainServiceAsync();
        var anonymous = chain.CreateClient(apiKey: "wrong-key");
        using var mcp = await anonymous.PostAsync("/mcp", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        using var rest = await anonymous.PostAsync("/api/tools/get_chain_info", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, mcp.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, rest.StatusCode);
    }
}
