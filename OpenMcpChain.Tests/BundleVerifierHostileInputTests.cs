using System.Text.Json;
using System.Text.Json.Nodes;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Signer;
using Nethereum.Signer.EIP712;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;
using OpenMcpChain.Sdk.Proofs;

namespace OpenMcpChain.Tests;

/// <summary>The SDK's bundle verifier, offline, on a genuine bundle edited in every hostile way: it answers, it never throws.</summary>
public sealed class BundleVerifierHostileInputTests
{
    private const string TaskId = "task-hostile";
    private static readonly EthECKey Key = EthECKey.GenerateKey();

    /// <summary>A JSON path into the bundle and the raw JSON put there ("delete" removes the member).</summary>
    public static TheoryData<string, string> Edits => new()
    {
        { "entries", "[null]" }, { "entries", "[]" }, { "entries", "null" }, { "entries[0]", "null" }, { "entries[0].entry", "null" },
        { "entries[0].entry", "\"not json\"" }, { "entries[0].entry", "\"{\\\"task_id\\\":1}\"" }, { "entries[0].leaf_hash", "\"nothex\"" },
        { "entries[0].leaf_hash", "null" }, { "entries[0].inclusion_path", "[null]" }, { "entries[0].inclusion_path", "[\"zz\"]" },
        { "entries[0].inclusion_path", "[\"0x12\"]" }, { "entries[0].inclusion_path", "null" }, { "entries[0].index", "-5" },
        { "entries[0].index", "9223372036854775807" }, { "entries[1].inclusion_path", $"[{string.Join(",", Enumerable.Repeat("\"0x" + new string('a', 64) + "\"", 70))}]" },
        { "attestation.signature", "SIG_FF" }, { "attestation.signature", "\"0x\"" }, { "attestation.signature", "null" },
        { "attestation.signature", $"\"0x{new string('0', 130)}\"" }, { "attestation.signature", $"\"0x{new string('f', 130)}\"" },
        { "attestation.message", "\"{}\"" }, { "attestation.message", "\"[]\"" }, { "attestation.message", "\"not json\"" },
        { "attestation.message", "null" }, { "attestation.message", "\"{\\\"task_id\\\":1,\\\"goal\\\":[],\\\"result\\\":0}\"" },
        { "attestation.typed_data", "{}" }, { "attestation.typed_data", "null" }, { "attestation.typed_data", "\"text\"" },
        { "attestation.typed_data", "[]" }, { "attestation.typed_data.types", "delete" }, { "attestation.typed_data.message", "delete" },
        { "attestation.typed_data.types.Unknown", "[{\"name\":\"x\",\"type\":\"Mystery\"}]" },
        { "attestation.typed_data.types.TaskOutcome[0].type", "\"Mystery\"" }, { "attestation.typed_data.primaryType", "\"Mystery\"" },
        { "attestation.typed_data.message.stepLogRoot", "12" }, { "attestation.typed_data.message.stepLogSize", "1e30" },
        { "attestation.typed_data.message.stepLogSize", "-1" }, { "attestation.typed_data.message.stepLogSize", "\"1\"" },
        { "attestation.typed_data.message.stepLogSize", "1.5" }, { "attestation.typed_data.message.txHashes", "[null]" },
        { "attestation.typed_data.message.txHashes", "\"0x\"" }, { "attestation.typed_data.message.extra", "1" },
        { "attestation.typed_data.domain", "{\"name\":\"Other\",\"version\":\"1\"}" }, { "attestation.scheme", "\"rsa\"" },
        { "attestation.scheme", "\"eip191\"" }, { "attestation.scheme", "null" }, { "attestation.signer", "\"garbage\"" },
        { "attestation.signer", "null" }, { "attestation", "null" }, { "tree_head", "null" }, { "tree_head.root", "\"0xzz\"" },
        { "tree_head.root", "null" }, { "tree_head.signature", $"\"0x{new string('f', 130)}\"" }, { "tree_head.signature", "\"\"" },
        { "tree_head.tree_size", "-1" }, { "tree_head.tree_size", "0" }, { "tree_head.tree_size", "9223372036854775807" },
        { "tree_head.message", "null" }, { "task_id", "null" }, { "task_id", "\"another\"" },
        { "anchor", "{\"network\":\"devnet\",\"chain_id\":1,\"contract\":\"garbage\",\"tx_hash\":null,\"block_number\":1,\"tree_size\":2,\"root\":\"x\"}" },
    };

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
        var edited = Edit(JsonSerializer.SerializeToNode(Bundle(), OpenMcpChainJson.Options)!, path, json);
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

        Assert.False(verification.Valid);
        Assert.NotEmpty(verification.Problems);
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

    /// <summary>A bundle as ProofService makes one: a step and the outcome entry, proved to a signed tree head of 2.</summary>
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
        };
    }

    /// <summary>Sets (or deletes) the member at a dotted path with [index] steps; SIG_FF is the attestation's own signature ending ff.</summary>
    private static JsonNode Edit(JsonNode bundle, string path, string json)
    {
        var steps = path.Replace("[", ".[").Split('.');
        JsonNode parent = bundle;
        foreach (var step in steps[..^1]) parent = step.StartsWith('[') ? parent[int.Parse(step[1..^1])]! : parent[step]!;
        var last = steps[^1];
        var value = json switch
        {
            "delete" => null,
            "SIG_FF" => JsonValue.Create(bundle["attestation"]!["signature"]!.GetValue<string>()[..^2] + "ff"),
            _ => JsonNode.Parse(json),
        };
        if (last.StartsWith('[')) parent[int.Parse(last[1..^1])] = value;
        else if (json == "delete") parent.AsObject().Remove(last);
        else parent[last] = value;
        return bundle;
    }
}
