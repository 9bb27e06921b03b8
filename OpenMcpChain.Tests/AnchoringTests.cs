using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.Testing;
using Nethereum.JsonRpc.Client;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Signer;
using Nethereum.Util;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;
using OpenMcpChain.Sdk.Proofs;

namespace OpenMcpChain.Tests;

/// <summary>The log anchored on the devnet end to end: a task's outcome → its proof bundle → verified by the SDK, offline and on chain.</summary>
[Collection(SystemCollection.Name)]
public sealed class AnchoringTests(SystemFixture system)
{
    private static readonly TimeSpan AnchorTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ATaskOutcomeIsAnchoredAndItsBundleVerifiesOfflineAndOnChain()
    {
        var accepted = await system.Client.CreateTaskAsync(new CreateTaskRequest("What is the latest block number?"));
        var task = await system.Client.WaitForTaskAsync(accepted.TaskId, TimeSpan.FromSeconds(90));
        Assert.True(task.Status == TaskStatuses.Succeeded, $"task ended {task.Status}: {task.Error}");
        var logIndex = task.Result!.Provenance!.Log!.Index;

        var proofs = system.CreateClient("proofservice");
        var signer = await system.ConfiguredProofSignerAsync();
        var bundle = await WaitForAnchoredBundleAsync(proofs, task.TaskId);

        // The bundle is about this task: its outcome entry is the one the task's provenance points at.
        Assert.Contains(bundle.Entries, e => e.Index == logIndex);
        Assert.Equal(task.Result.Provenance.Signature, bundle.Attestation.Signature);
        var rpc = system.App.GetEndpoint("devnet", "http").ToString();
        var offline = ProofBundleVerifier.Verify(bundle, signer);
        Assert.True(offline.Valid, string.Join("; ", offline.Problems));
        var onChain = await ProofBundleVerifier.VerifyAsync(bundle, rpc, signer);
        Assert.True(onChain.Valid && onChain.AnchorCheckedOnChain, string.Join("; ", onChain.Problems));

        // The contract itself says so, read with nothing but JSON-RPC.
        var anchor = bundle.Anchor!;
        var receipt = await system.Devnet.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(anchor.TxHash);
        Assert.Equal(1, (int)receipt.Status.Value);
        Assert.Equal(anchor.BlockNumber, (long)receipt.BlockNumber.Value);
        Assert.Equal(signer, receipt.From, ignoreCase: true);
        Assert.Equal(anchor.Root, await CallAsync(anchor.Contract, "rootAt(uint256)", anchor.TreeSize), ignoreCase: true);

        // ProofService's own verify endpoint agrees.
        using var verified = await proofs.PostAsJsonAsync("/api/bundles/verify", bundle, OpenMcpChainJson.Options);
        var serverSays = await verified.Content.ReadFromJsonAsync<BundleVerification>(OpenMcpChainJson.Options);
        Assert.True(serverSays!.Valid && serverSays.AnchorCheckedOnChain, string.Join("; ", serverSays.Problems));
    }

    [Fact]
    public async Task ATasksProvenanceIsSelfContainedAndOnceAnchoredLeadsToTheRootOnChain()
    {
        var accepted = await system.Client.CreateTaskAsync(new CreateTaskRequest("What is the latest block number?"));
        var task = await system.Client.WaitForTaskAsync(accepted.TaskId, TimeSpan.FromSeconds(90));
        Assert.Equal(TaskStatuses.Succeeded, task.Status);
        // At once: the outcome's entry and an inclusion proof to a current tree head, checkable offline.
        var early = task.Result!.Provenance!;
        Assert.True(ProvenanceVerifier.LogIncludesOutcome(early));

        var deadline = DateTime.UtcNow + AnchorTimeout;
        Provenance provenance;
        while ((provenance = (await system.Client.GetTaskAsync(task.TaskId)).Result!.Provenance!).Anchor is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "The task's provenance was never anchored.");
            await Task.Delay(250);
        }
        var signer = await system.ConfiguredProofSignerAsync();
        Assert.True(ProvenanceVerifier.IsSignedBy(provenance, signer));
        Assert.True(ProvenanceVerifier.LogIncludesOutcome(provenance));
        Assert.Equal(provenance.Anchor!.TreeSize, provenance.Log!.TreeSize);
        Assert.Empty(await ProvenanceVerifier.CheckAnchorAsync(provenance, system.App.GetEndpoint("devnet", "http").ToString()));

        // Anything edited stops checking out.
        Assert.False(ProvenanceVerifier.LogIncludesOutcome(provenance with { Log = provenance.Log with { Entry = provenance.Log.Entry.Replace("task_outcome", "task_outcom3") } }));
        Assert.False(ProvenanceVerifier.LogIncludesOutcome(provenance with { Log = provenance.Log with { Index = provenance.Log.Index + 1 } }));
        Assert.False(ProvenanceVerifier.LogIncludesOutcome(provenance with { Signature = early.Signature[..^2] + "00" }));
        Assert.NotEmpty(await ProvenanceVerifier.CheckAnchorAsync(provenance with { Anchor = provenance.Anchor with { Root = "0x" + new string('2', 64) } },
            system.App.GetEndpoint("devnet", "http").ToString()));
    }

    [Fact]
    public async Task AnyEditToABundleIsCaught()
    {
        var accepted = await system.Client.CreateTaskAsync(new CreateTaskRequest("What chain is this?"));
        var task = await system.Client.WaitForTaskAsync(accepted.TaskId, TimeSpan.FromSeconds(90));
        Assert.Equal(TaskStatuses.Succeeded, task.Status);
        var proofs = system.CreateClient("proofservice");
        var signer = await system.ConfiguredProofSignerAsync();
        var bundle = await WaitForAnchoredBundleAsync(proofs, task.TaskId);
        var rpc = system.App.GetEndpoint("devnet", "http").ToString();
        Assert.True((await ProofBundleVerifier.VerifyAsync(bundle, rpc, signer)).Valid);

        var entry = bundle.Entries[^1];
        var editedEntry = bundle with { Entries = [.. bundle.Entries.SkipLast(1), entry with { Entry = entry.Entry.Replace("task_outcome", "task_outcom3") }] };
        Assert.False(ProofBundleVerifier.Verify(editedEntry, signer).Valid);

        var forgedLeaf = entry with
        {
            Entry = entry.Entry.Replace(task.TaskId, "another-task"),
            LeafHash = "0x" + Convert.ToHexStringLower(MerkleProof.LeafHash(System.Text.Encoding.UTF8.GetBytes(entry.Entry.Replace(task.TaskId, "another-task")))),
        };
        Assert.False(ProofBundleVerifier.Verify(bundle with { Entries = [.. bundle.Entries.SkipLast(1), forgedLeaf] }, signer).Valid);

        Assert.False(ProofBundleVerifier.Verify(bundle, "0x000000000000000000000000000000000000dEaD").Valid);

        var otherRoot = "0x" + new string('1', 64);
        var rerooted = bundle with { TreeHead = bundle.TreeHead with { Root = otherRoot }, Anchor = bundle.Anchor! with { Root = otherRoot } };
        Assert.False(ProofBundleVerifier.Verify(rerooted, signer).Valid);

        // A valid bundle pointed at some other transaction fails on chain only: the offline checks cannot know.
        var contract = await proofs.GetFromJsonAsync<JsonElement>("/api/anchors/contract", OpenMcpChainJson.Options);
        var wrongTx = bundle with { Anchor = bundle.Anchor! with { TxHash = contract.GetProperty("deploy_tx_hash").GetString()! } };
        Assert.True(ProofBundleVerifier.Verify(wrongTx, signer).Valid);
        var checkedWrongTx = await ProofBundleVerifier.VerifyAsync(wrongTx, rpc, signer);
        Assert.False(checkedWrongTx.Valid);
        Assert.Contains(checkedWrongTx.Problems, p => p.Contains("Anchored"));
    }

    [Fact]
    public async Task TheAnchorContractAcceptsOnlyTheSignerAndOnlyGrowingSizes()
    {
        var proofs = system.CreateClient("proofservice");
        var signer = await system.ConfiguredProofSignerAsync();
        (await proofs.PostAsJsonAsync("/api/log/entries", new { type = "test", note = "something to anchor" })).EnsureSuccessStatusCode();
        var contract = await WaitForAsync(async () =>
        {
            using var response = await proofs.GetAsync("/api/anchors/contract");
            return (response.IsSuccessStatusCode, response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>() : default);
        });
        var address = contract.GetProperty("address").GetString()!;
        Assert.Equal(signer, "0x" + (await CallAsync(address, "signer()"))[^40..], ignoreCase: true);

        // Anyone else is refused, through ChainService (simulation returns the reason; nothing is sent)…
        var chain = await system.GetChainServiceAsync();
        var nonce = await chain.WalletNonceAsync();
        var (_, code, body) = await chain.CreateClient().ToolErrorAsync("write_contract",
            new { address, signature = "anchor(bytes32 root, uint256 size)", args = new object[] { "0x" + new string('a', 64), "999999999" } });
        Assert.Equal("EXECUTION_REVERTED", code);
        Assert.Contains("only the signer anchors", body.GetProperty("message").GetString());
        Assert.Equal(nonce, await chain.WalletNonceAsync());

        // …and the signer itself cannot go back to a size it already anchored.
        var anchors = await WaitForAsync(async () =>
        {
            var list = await proofs.GetFromJsonAsync<JsonElement>("/api/anchors");
            return (list.EnumerateArray().Any(a => a.GetProperty("status").GetString() == "confirmed"), list);
        });
        var latest = anchors.EnumerateArray().First(a => a.GetProperty("status").GetString() == "confirmed").GetProperty("anchor");
        var size = latest.GetProperty("tree_size").GetInt64();
        var error = await Assert.ThrowsAsync<RpcResponseException>(() => system.Devnet.Eth.Transactions.Call.SendRequestAsync(
            new CallInput(Encode("anchor(bytes32,uint256)", latest.GetProperty("root").GetString()![2..], size.ToString("x").PadLeft(64, '0')), address) { From = signer }));
        Assert.Contains("size must grow", error.RpcError.Message + error.RpcError.Data);
        // The list is newest first, each anchored in a mined block, each tree head signed by the configured signer.
        var sizes = anchors.EnumerateArray().Select(a => a.GetProperty("anchor").GetProperty("tree_size").GetInt64()).ToList();
        Assert.Equal(sizes.OrderDescending(), sizes);
        Assert.All(anchors.EnumerateArray().Where(a => a.GetProperty("status").GetString() == "confirmed"),
            a => Assert.True(a.GetProperty("anchor").GetProperty("block_number").GetInt64() > 0));
        Assert.All(anchors.EnumerateArray(), a => Assert.Equal(signer, new EthereumMessageSigner().EncodeUTF8AndEcRecover(
            SignedTreeHead.MessageFor(a.GetProperty("anchor").GetProperty("tree_size").GetInt64(), a.GetProperty("anchor").GetProperty("root").GetString()!,
                a.GetProperty("tree_head_timestamp").GetInt64()), a.GetProperty("tree_head_signature").GetString()), ignoreCase: true));
    }

    private static async Task<ProofBundle> WaitForAnchoredBundleAsync(HttpClient proofs, string taskId) =>
        await WaitForAsync(async () =>
        {
            var bundle = await proofs.GetFromJsonAsync<ProofBundle>($"/api/bundles/{taskId}", OpenMcpChainJson.Options);
            return (bundle?.Anchor is not null, bundle!);
        });

    private static async Task<T> WaitForAsync<T>(Func<Task<(bool Ready, T Value)>> probe)
    {
        var deadline = DateTime.UtcNow + AnchorTimeout;
        while (true)
        {
            var (ready, value) = await probe();
            if (ready) return value;
            Assert.True(DateTime.UtcNow < deadline, "Timed out waiting for the anchor.");
            await Task.Delay(250);
        }
    }

    private async Task<string> CallAsync(string contract, string signature, long? argument = null) =>
        await system.Devnet.Eth.Transactions.Call.SendRequestAsync(new CallInput(
            Encode(signature, argument is { } a ? a.ToString("x").PadLeft(64, '0') : ""), contract));

    private static string Encode(string signature, params string[] words) =>
        "0x" + Sha3Keccack.Current.CalculateHash(signature)[..8] + string.Concat(words);
}
