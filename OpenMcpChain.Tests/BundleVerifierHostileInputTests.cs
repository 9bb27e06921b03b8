using System.Text.Json;
using System.Text.Json.Nodes;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Signer;
using Nethereum.Signer.EIP712;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;
using OpenMcpChain.Sdk.Proofs;
using OpenMcpChain.Tests.Fuzz;

namespace OpenMcpChain.Tests;

/// <summary>The SDK's bundle verifier, offline, on a genuine bundle edited in the fuzz corpus' hostile ways: it answers, it never throws.</summary>
public sealed class BundleVerifierHostileInputTests
{
    private const string TaskId = "task-hostile";
    private static readonly EthECKey Key = EthECKey.GenerateKey();

    /// <summary>The fuzz corpus' bundle edits: a JSON path into the bundle and the raw JSON put there.</summary>
    public static TheoryData<string, string> Edits
    {
        get
        {
            var edits = new TheoryData<string, string>();
            foreach (var (path, json) in EdgeCorpus.BundleEdits) edits.Add(path, json);
            return edits;
        }
    }

    [Fact]
    public void TheGenuineBundleVerifies()
    {
        var verification = ProofBundleVerifier.Verify(Bundle(), Key.GetPublicAddress());
        Assert.True(verification.Valid, string.Join("; ", verification.Problems));
    }

    [Theory]
    [MemberData(nameof(Edits))]
    public void AnEditedBundleIsInvalidWithReasonsAndNothingThrows(string path, string json)
    {
        var edited = JsonEdits.Apply(JsonSerializer.SerializeToNode(Bundle(), OpenMcpChainJson.Options)!, path, json);
        ProofBundle? bundle;
        try
        {
            bundle = edited.Deserialize<ProofBundle>(OpenMcpChainJson.Options);
        }
        catch (JsonException)
        {
            return; // not a bundle at all: the API answers that as a 400 before the verifier runs
        }

        var verification = ProofBundleVerifier.Verify(bundle!, Key.GetPublicAddress());

        // Which network, transaction and contract anchored the head only the chain can tell, when they are well formed.
        if (verification.Valid) Assert.Contains(path, (string[])["anchor.network", "anchor.tx_hash", "anchor.contract"]);
        else Assert.NotEmpty(verification.Problems);
    }

    [Theory]
    [InlineData("contract", "garbage")]
    [InlineData("contract", null)]
    [InlineData("tx_hash", "0x1234")]
    [InlineData("tx_hash", null)]
    [InlineData("root", "not a root")]
    public async Task AMalformedAnchorIsReportedWithoutAskingTheChain(string field, string? value)
    {
        var anchor = new AnchorRecord("devnet", 31337, "0x" + new string('1', 40), "0x" + new string('2', 64), 5, 2, "0x" + new string('3', 64));
        var node = JsonSerializer.SerializeToNode(anchor, OpenMcpChainJson.Options)!.AsObject();
        node[field] = value;

        // Nothing listens on port 9: a lookup on chain would throw rather than answer.
        var problems = await ProofBundleVerifier.CheckAnchorAsync(node.Deserialize<AnchorRecord>(OpenMcpChainJson.Options)!,
            Key.GetPublicAddress(), "http://127.0.0.1:9");

        Assert.Contains(problems, p => p.Contains("anchor." + field));
    }

    /// <summary>A bundle as ProofService makes one: a step and the outcome entry, proved to a signed tree head of 2 that is anchored.</summary>
    private static ProofBundle Bundle()
    {
        var step = CanonicalJson.Serialize(new JsonObject { ["type"] = "task_step", ["task_id"] = TaskId, ["seq"] = 1 });
        var stepLeaf = MerkleProof.LeafHash(System.Text.Encoding.UTF8.GetBytes(step));
        var result = new JsonObject { ["reply"] = "42" };
        var message = CanonicalJson.Serialize(new JsonObject { ["task_id"] = TaskId, ["goal"] = "What is the latest block?", ["result"] = result });
        var typedData = TaskOutcomeTypedData.Build(TaskId, "What is the latest block?", CanonicalJson.Serialize(result),
            MerkleProof.RootOf([stepLeaf]), 1, [], 1_795_602_858);
        var signature = new Eip712TypedDataSigner().SignTypedDataV4(typedData, Key);
        var outcome = CanonicalJson.Serialize(new JsonObject
        {
            ["type"] = "task_outcome", ["task_id"] = TaskId, ["signer"] = Key.GetPublicAddress(), ["scheme"] = "eip712", ["signature"] = signature,
        });
        var outcomeLeaf = MerkleProof.LeafHash(System.Text.Encoding.UTF8.GetBytes(outcome));
        var root = MerkleProof.NodeHash(stepLeaf, outcomeLeaf).ToHex(true);
        var headMessage = SignedTreeHead.MessageFor(2, root, 1_795_602_860);
        return new ProofBundle
        {
            TaskId = TaskId,
            Attestation = new Provenance
            {
                Signer = Key.GetPublicAddress(), Signature = signature, Scheme = "eip712", Message = message,
                TypedData = JsonDocument.Parse(typedData).RootElement.Clone(),
            },
            Entries =
            [
                new BundleEntry(0, step, stepLeaf.ToHex(true), [outcomeLeaf.ToHex(true)]),
                new BundleEntry(1, outcome, outcomeLeaf.ToHex(true), [stepLeaf.ToHex(true)]),
            ],
            TreeHead = new SignedTreeHead(2, root, 1_795_602_860, Key.GetPublicAddress(),
                new EthereumMessageSigner().EncodeUTF8AndSign(headMessage, Key), headMessage),
            Anchor = new AnchorRecord("devnet", 31337, "0x" + new string('1', 40), "0x" + new string('2', 64), 7, 2, root),
        };
    }
}
