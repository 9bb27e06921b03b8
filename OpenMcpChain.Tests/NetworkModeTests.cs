using System.Net;
using System.Net.Http.Json;
using Nethereum.Web3;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Tests;

/// <summary>
/// <c>Infra:Chain=network</c>, as a deployment runs: no anvil of the AppHost's own, the services on a named public network
/// (here <c>sepolia</c>, played by a local anvil with Sepolia's chain id that mines a block a second) whose only setting
/// is its RPC URL. Everything else comes from the preset: its chain id, its confirmation depth (6) and its closed policy.
/// </summary>
public sealed class NetworkModeTests : IAsyncLifetime
{
    private const long SepoliaChainId = 11155111;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private readonly string _data = Directory.CreateTempSubdirectory("openmcp-network-").FullName;
    // Null until started: a start that fails still stops what did start.
    private AnvilProcess? _sepolia;
    private SystemRun? _run;
    private SystemRun Run => _run!;
    private AnvilProcess Sepolia => _sepolia!;

    public async Task InitializeAsync()
    {
        _sepolia = await AnvilProcess.StartAsync("--chain-id", SepoliaChainId.ToString(), "--block-time", "1");
        _run = await SystemRun.StartAsync(_data,
            "--Infra:Chain=network", "--Chain:Networks:0=sepolia", $"--Parameters:sepolia-rpc-url={_sepolia.RpcUrl}");
    }

    public async Task DisposeAsync()
    {
        if (_run is not null) await _run.DisposeAsync();
        if (_sepolia is not null) await _sepolia.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task TasksRunOnTheConfiguredNetworkItsWritesWaitForAPersonAndTheLogIsAnchoredThere()
    {
        // Only the configured network exists: a task naming another is refused at submission, and nothing is stored.
        foreach (var other in new[] { "devnet", "nowhere" })
        {
            using var refused = await Run.Gateway.PostAsJsonAsync("/api/v1/tasks", new { goal = "What chain is this?", network = other });
            var error = await refused.Content.ReadFromJsonAsync<ApiError>(OpenMcpChainJson.Options);
            Assert.Equal((HttpStatusCode.BadRequest, ChainErrorCodes.UnknownNetwork), (refused.StatusCode, error!.Code));
            Assert.Contains("sepolia", error.Message);
        }
        Assert.Equal(0, (await Run.Client.ListTasksAsync()).Total);

        // A task naming no network runs on the default one, and says so.
        var read = await Run.Client.FinishedAsync((await Run.Client.CreateTaskAsync(new CreateTaskRequest("What chain is this?"))).TaskId, Timeout);
        Assert.True(read.Status == TaskStatuses.Succeeded, $"{read.Status}: {read.Error}");
        Assert.Equal(SepoliaChainId, HexQuantity.Parse(read.Result!.ChainId));

        // A public network's policy starts closed: even 0.01 ETH waits for a person, and nothing is sent meanwhile.
        var recipient = Nethereum.Signer.EthECKey.GenerateKey().GetPublicAddress();
        var submitted = await Run.Client.CreateTaskAsync(new CreateTaskRequest($"Send 0.01 ETH to {recipient}", Network: "sepolia"));
        var parked = await Run.WaitForStatusAsync(submitted.TaskId, TaskStatuses.AwaitingApproval);
        Assert.Equal(0, await Sepolia.BalanceAsync(recipient));
        using var approved = await (await Run.ChainOperatorAsync()).PostAsJsonAsync($"/api/approvals/{parked.ApprovalId}/approve", new { reason = "test" });
        Assert.True(approved.IsSuccessStatusCode, await approved.Content.ReadAsStringAsync());
        var sent = await Run.Client.FinishedAsync(submitted.TaskId, Timeout);
        Assert.True(sent.Status == TaskStatuses.Succeeded, $"{sent.Status}: {sent.Error}");
        Assert.Equal(Web3.Convert.ToWei(0.01m), await Sepolia.BalanceAsync(recipient));

        // ProofService deployed its anchor contract on that network and anchors the log there: a contract its caller
        // deployed needs no allowlist entry on a policy closed to contracts.
        var anchored = await Run.WaitForAnchoredAsync(read.TaskId);
        var anchor = anchored.Result!.Provenance!.Anchor!;
        Assert.Equal(("sepolia", SepoliaChainId), (anchor.Network, anchor.ChainId));
        var receipt = await Sepolia.Web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(anchor.TxHash);
        Assert.Equal((1, anchor.Contract.ToLowerInvariant()), ((int)receipt.Status.Value, receipt.To.ToLowerInvariant()));
    }
}
