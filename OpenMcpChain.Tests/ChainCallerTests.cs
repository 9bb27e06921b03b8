using System.Net.Http.Json;
using Nethereum.Web3.Accounts;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Tests;

/// <summary>Who may send from which wallet, and contract creation through ChainService's write path.</summary>
[Collection(SystemCollection.Name)]
public sealed class ChainCallerTests(SystemFixture system)
{
    // Init code of a minimal contract whose every call returns 42 (10 bytes of runtime code).
    private const string AnswerContractInitCode = "0x600a600c600039600a6000f3602a60005260206000f3";

    [Fact]
    public async Task ACallerCannotSendFromAWalletItWasNotGiven()
    {
        var chain = await system.GetChainServiceAsync();
        var reserve = new Account(ChainServiceFixture.ReserveKey).Address;
        var nonce = await NonceAsync(chain, reserve);

        var (status, error) = await chain.CreateClient(ChainServiceFixture.AgentKey)
            .ToolErrorAsync("transfer_native", new { to = chain.WalletAddress, amount = "0.01", wallet = "reserve" });

        Assert.Equal(403, status);
        Assert.Equal(("POLICY_WALLET_NOT_ALLOWED", "POLICY_WALLET_NOT_ALLOWED"), (error.Code, error.PolicyDecision));
        Assert.Equal(nonce, await NonceAsync(chain, reserve));
        // The operator was given that wallet and sends from it.
        var sent = await chain.CreateClient(ChainServiceFixture.OperatorKey)
            .ToolAsync("transfer_native", new { to = chain.WalletAddress, amount = "0.01", wallet = "reserve" });
        Assert.Equal("confirmed", sent.GetProperty("status").GetString());
        Assert.Equal(reserve, sent.GetProperty("from").GetString(), ignoreCase: true);
    }

    [Fact]
    public async Task OnlyACallerAllowedToDeployCreatesContractsAndTheContractAnswers()
    {
        var chain = await system.GetChainServiceAsync();
        var nonce = await chain.WalletNonceAsync();

        using var refused = await chain.CreateClient(ChainServiceFixture.AgentKey)
            .PostAsJsonAsync("/api/contracts", new { data = AnswerContractInitCode }, OpenMcpChainJson.Options);
        var refusal = ChainToolError.From(await refused.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>());
        Assert.Equal(403, (int)refused.StatusCode);
        Assert.Equal(("POLICY_DEPLOY_NOT_ALLOWED", "POLICY_DEPLOY_NOT_ALLOWED"), (refusal?.Code, refusal?.PolicyDecision));
        Assert.Equal(nonce, await chain.WalletNonceAsync());

        using var bad = await chain.CreateClient(ChainServiceFixture.OperatorKey)
            .PostAsJsonAsync("/api/contracts", new { data = "not hex" }, OpenMcpChainJson.Options);
        Assert.Equal(400, (int)bad.StatusCode);
        var badData = ChainToolError.From(await bad.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>());
        Assert.Equal(("INVALID_ARGUMENT", "data"), (badData?.Code, badData?.Field));

        using var response = await chain.CreateClient(ChainServiceFixture.OperatorKey)
            .PostAsJsonAsync("/api/contracts", new { data = AnswerContractInitCode }, OpenMcpChainJson.Options);
        var deployed = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.True(response.IsSuccessStatusCode, deployed.ToString());
        Assert.Equal("confirmed", deployed.GetProperty("status").GetString());
        var address = deployed.GetProperty("contract_address").GetString()!;
        var receipt = await chain.Devnet.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(deployed.GetProperty("tx_hash").GetString());
        Assert.Equal(receipt.ContractAddress, address, ignoreCase: true);
        Assert.Equal(nonce + 1, await chain.WalletNonceAsync());

        var answer = await chain.CreateClient().ToolAsync("call_contract", new { address, signature = "answer() returns (uint256)" });
        Assert.Equal("42", answer.GetProperty("values").GetProperty("out0").GetString());
        // Where there is no code, a read says so instead of decoding nothing.
        var (_, nothing) = await chain.CreateClient().ToolErrorAsync("call_contract",
            new { address = Nethereum.Signer.EthECKey.GenerateKey().GetPublicAddress(), signature = "answer() returns (uint256)" });
        Assert.Equal("CALL_RETURNED_NOTHING", nothing.Code);
    }

    private static async Task<long> NonceAsync(ChainServiceFixture chain, string address) =>
        (long)(await chain.Devnet.Eth.Transactions.GetTransactionCount.SendRequestAsync(address, Nethereum.RPC.Eth.DTOs.BlockParameter.CreatePending())).Value;
}

/// <summary>The gate's own record of each write decision reaches the transparency log, filed under the task.</summary>
[Collection(SystemCollection.Name)]
public sealed class WriteDecisionLogTests(SystemFixture system)
{
    [Fact]
    public async Task SentAndDeniedWritesAreAppendedToTheLogUnderTheirTask()
    {
        var chain = await system.GetChainServiceAsync();
        var taskId = $"log-test-{Guid.NewGuid():N}"[..40];
        var client = chain.CreateClient(taskId: taskId);
        var to = Nethereum.Signer.EthECKey.GenerateKey().GetPublicAddress();
        var sent = await client.ToolAsync("transfer_native", new { to, amount = "0.01" });
        var (_, denied) = await client.ToolErrorAsync("transfer_native", new { to, amount = "5" });
        Assert.Equal("POLICY_VALUE_CAP", denied.PolicyDecision);
        await client.ToolAsync("get_balance", new { address = to }); // a read: no decision, not logged

        var proofs = system.CreateClient("proofservice");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        System.Text.Json.JsonElement entries;
        while ((entries = await proofs.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/log/entries?task_id={taskId}")).GetArrayLength() < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "The write decisions did not reach the log.");
            await Task.Delay(200);
        }
        await Task.Delay(1500); // a read would have arrived by now too
        entries = await proofs.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/log/entries?task_id={taskId}");
        var logged = entries.EnumerateArray().Select(e => System.Text.Json.JsonDocument.Parse(e.GetProperty("entry").GetString()!).RootElement).ToList();
        Assert.Equal(2, logged.Count);
        Assert.All(logged, e => Assert.Equal("chain_write", e.GetProperty("type").GetString()));
        Assert.Equal("allowed", logged[0].GetProperty("policy_decision").GetString());
        Assert.Equal(sent.GetProperty("tx_hash").GetString(), logged[0].GetProperty("result").GetProperty("tx_hash").GetString());
        Assert.Equal("POLICY_VALUE_CAP", logged[1].GetProperty("policy_decision").GetString());
        Assert.Equal(to, logged[1].GetProperty("arguments").GetProperty("to").GetString());

        // Attesting the task commits to those steps: their Merkle root and count, and the transaction that was sent.
        using var attested = await proofs.PostAsJsonAsync("/api/attestations",
            new { task_id = taskId, goal = "send 0.01 ETH", result = new { reply = "sent" } }, OpenMcpChainJson.Options);
        var provenance = await attested.Content.ReadFromJsonAsync<OpenMcpChain.Sdk.Contracts.Provenance>(OpenMcpChainJson.Options);
        var signed = provenance!.TypedData!.Value.GetProperty("message");
        Assert.Equal(2, signed.GetProperty("stepLogSize").GetInt64());
        var leaves = entries.EnumerateArray().Select(e => Convert.FromHexString(e.GetProperty("leaf_hash").GetString()![2..])).ToList();
        Assert.Equal("0x" + Convert.ToHexStringLower(OpenMcpChain.Sdk.Proofs.MerkleProof.RootOf(leaves)), signed.GetProperty("stepLogRoot").GetString());
        Assert.Equal([sent.GetProperty("tx_hash").GetString()!.ToLowerInvariant()],
            signed.GetProperty("txHashes").EnumerateArray().Select(h => h.GetString()!).ToList());

        var bundle = await proofs.GetFromJsonAsync<OpenMcpChain.Sdk.Proofs.ProofBundle>($"/api/bundles/{taskId}", OpenMcpChainJson.Options);
        var signer = provenance.Signer;
        var verified = OpenMcpChain.Sdk.Proofs.ProofBundleVerifier.Verify(bundle!, signer);
        Assert.True(verified.Valid, string.Join("; ", verified.Problems));
        // A bundle that leaves out a step (say, the denial) no longer matches what was signed.
        var withoutDenial = bundle! with { Entries = [.. bundle.Entries.Where(e => e.Index != entries[1].GetProperty("index").GetInt64())] };
        Assert.Contains(OpenMcpChain.Sdk.Proofs.ProofBundleVerifier.Verify(withoutDenial, signer).Problems, p => p.Contains("step log"));
    }
}
