extern alias chainservice;
using System.Net.Http.Json;
using System.Numerics;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Nethereum.Web3;
using Nethereum.Web3.Accounts;
using OpenMcpChain.Sdk;

namespace OpenMcpChain.Tests;

/// <summary>
/// A ChainService instance (WebApplicationFactory) on the system's real MariaDB, Redis and devnet, with a strict policy on
/// the devnet, its own wallet (anvil account 2) and a deployed TestToken on the contract allowlist.
/// </summary>
public sealed class ChainServiceFixture(SystemFixture system)
{
    public const string WalletKey = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"; // anvil #2, devnet only
    public const string ReserveKey = "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a"; // anvil #4, devnet only
    public const string DeployerKey = "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6"; // anvil #3, devnet only
    public const string OperatorKey = "operator-test-key-0123456789abcdef";
    public const string AgentKey = "agent-test-key-0123456789abcdef";
    /// <summary>A caller that relays end users, as the Gateway's MCP proxy does.</summary>
    public const string RelayKey = "relay-test-key-0123456789abcdef";

    // Nethereum polls for a receipt without end; the devnet mines at once, so a minute means it never will.
    private static readonly TimeSpan ReceiptDeadline = TimeSpan.FromSeconds(60);

    private WebApplicationFactory<chainservice::Program> _factory = null!;
    public Web3 Devnet => system.Devnet;
    public Web3 Deployer { get; private set; } = null!;
    public string WalletAddress { get; } = new Account(WalletKey).Address;
    public string Token { get; private set; } = "";
    public string OtherToken { get; private set; } = "";
    public string RpcUrl { get; private set; } = "";

    public async Task InitializeAsync()
    {
        RpcUrl = system.App.GetEndpoint("devnet", "http").ToString();
        Deployer = new Web3(new Account(DeployerKey, 31337), RpcUrl);
        Deployer.TransactionManager.TransactionReceiptService = new Nethereum.RPC.TransactionReceipts.TransactionReceiptPollingService(Deployer.TransactionManager, 50);
        Token = await DeployTokenAsync("Test Token", "TT");
        OtherToken = await DeployTokenAsync("Other Token", "OT");
        await SendTokensAsync(Token, WalletAddress, Web3.Convert.ToWei(1000));

        // Its own database on the same server: the system's ChainService (another wallet) must not see these rows.
        var chainDb = (await system.App.GetConnectionStringAsync("chaindb"))!.Replace("Database=chaindb", "Database=chaindb_strict");
        var redis = await system.App.GetConnectionStringAsync("redis");
        var transferSelector = "0xa9059cbb";
        var setCounterSelector = "0x8bb5d9c3";
        var depositSelector = "0xd0e30db0";
        var burnGasSelector = "0x4ad5d16f";
        _factory = new WebApplicationFactory<chainservice::Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Production");
            foreach (var (key, value) in new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Warning",
                ["ConnectionStrings:chaindb"] = chainDb,
                ["ConnectionStrings:redis"] = redis,
                ["Networks:devnet:RpcUrl"] = RpcUrl,
                ["Networks:devnet:ConfirmationDepth"] = "1",
                ["Networks:devnet:Policy:AllowAnyContract"] = "false",
                ["Networks:devnet:Policy:AllowedContracts:0"] = Token,
                ["Networks:devnet:Policy:AllowedMethods:0"] = transferSelector,
                ["Networks:devnet:Policy:AllowedMethods:1"] = setCounterSelector,
                ["Networks:devnet:Policy:AllowedMethods:2"] = depositSelector,
                ["Networks:devnet:Policy:AllowedMethods:3"] = burnGasSelector,
                ["Networks:devnet:Policy:MaxValuePerTransaction"] = "1",
                ["Networks:devnet:Policy:ApprovalThreshold"] = "0.5",
                ["Networks:devnet:Policy:TaskBudget"] = "1",
                ["Networks:devnet:Policy:MaxGas"] = "200000",
                [$"Networks:devnet:Policy:Tokens:{Token}:Symbol"] = "TT",
                [$"Networks:devnet:Policy:Tokens:{Token}:MaxPerTransaction"] = "50",
                [$"Networks:devnet:Policy:Tokens:{Token}:TaskBudget"] = "80",
                [$"Networks:devnet:Policy:Tokens:{Token}:ApprovalThreshold"] = "45",
                ["Wallets:default:PrivateKey"] = WalletKey,
                ["Callers:operator:ApiKey"] = OperatorKey,
                ["Callers:operator:CanApprove"] = "true",
                ["Callers:operator:CanDeploy"] = "true",
                ["Callers:operator:Wallets:0"] = "default",
                ["Callers:operator:Wallets:1"] = "reserve",
                ["Wallets:reserve:PrivateKey"] = ReserveKey,
                ["Callers:agent:ApiKey"] = AgentKey,
                ["Callers:relay:ApiKey"] = RelayKey,
                ["Callers:relay:RelaysUsers"] = "true",
                ["services:proofservice:http:0"] = system.App.GetEndpoint("proofservice", "http").ToString(),
            })
            {
                web.UseSetting(key, value);
            }
        });
        _factory.CreateClient(); // starts the host (and its migrator) now
    }

    /// <summary>A client authenticated as <paramref name="apiKey"/>, optionally acting for a task.</summary>
    public HttpClient CreateClient(string apiKey = AgentKey, string? taskId = null)
    {
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", apiKey);
        if (taskId is not null) client.DefaultRequestHeaders.Add("X-Task-Id", taskId);
        return client;
    }

    public T GetService<T>() where T : notnull => _factory.Services.GetRequiredService<T>();

    /// <summary>A second instance of this service (same database, wallet and policy) with <paramref name="configure"/> applied last.</summary>
    public WebApplicationFactory<chainservice::Program> Variant(Action<IServiceCollection> configure) =>
        _factory.WithWebHostBuilder(web => web.ConfigureTestServices(configure));

    public async Task<long> WalletNonceAsync() =>
        (long)(await Devnet.Eth.Transactions.GetTransactionCount.SendRequestAsync(WalletAddress, Nethereum.RPC.Eth.DTOs.BlockParameter.CreatePending())).Value;

    public async Task<string> DeployTokenAsync(string name, string symbol)
    {
        var artifact = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "contracts", "TestToken.json"))).RootElement;
        var receipt = await Deployer.Eth.DeployContract.SendRequestAndWaitForReceiptAsync(
            artifact.GetProperty("abi").GetRawText(), artifact.GetProperty("bytecode").GetString(), Deployer.TransactionManager.Account.Address,
            new Nethereum.Hex.HexTypes.HexBigInteger(3_000_000), null, name, symbol, Web3.Convert.ToWei(1_000_000)).WaitAsync(ReceiptDeadline);
        return receipt.ContractAddress;
    }

    public async Task SendTokensAsync(string token, string to, BigInteger amount)
    {
        await Deployer.Eth.ERC20.GetContractService(token).TransferRequestAndWaitForReceiptAsync(to, amount).WaitAsync(ReceiptDeadline);
    }

    public async Task DisposeAsync() => await _factory.DisposeAsync();
}
