using Nethereum.Hex.HexConvertors.Extensions;
using System.Text.Json.Nodes;
using Nethereum.Signer;
using Nethereum.Signer.EIP712;
using OpenMcpChain.Sdk.Proofs;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Sdk;

/// <summary>Checks a task's provenance offline, with no server.</summary>
public static class ProvenanceVerifier
{
    /// <summary>Recovers the address that produced <paramref name="provenance"/>'s signature over its message.</summary>
    public static string RecoverSigner(Provenance provenance) => provenance.Scheme switch
    {
        "eip191" => new EthereumMessageSigner().EncodeUTF8AndEcRecover(provenance.Message, provenance.Signature),
        "eip712" => new Eip712TypedDataSigner().RecoverFromSignatureV4(TypedDataJson(provenance), provenance.Signature),
        _ => throw new NotSupportedException($"Unknown signature scheme '{provenance.Scheme}'."),
    };

    /// <summary>
    /// For EIP-712: the signed typed data binds the readable <see cref="Provenance.Message"/> (task id and the hashes of
    /// its goal and canonical result), so what a reader sees is what was signed.
    /// </summary>
    public static bool TypedDataMatchesMessage(Provenance provenance)
    {
        if (provenance.Scheme != "eip712") return true;
        var signed = JsonNode.Parse(TypedDataJson(provenance))!["message"]!;
        var readable = JsonNode.Parse(provenance.Message)!;
        return signed["taskId"]!.GetValue<string>() == readable["task_id"]!.GetValue<string>()
            && signed["goalHash"]!.GetValue<string>() == TaskOutcomeTypedData.Keccak(readable["goal"]!.GetValue<string>())
            && signed["resultHash"]!.GetValue<string>() == TaskOutcomeTypedData.Keccak(CanonicalJson.Serialize(readable["result"]));
    }

    private static string TypedDataJson(Provenance provenance) =>
        provenance.TypedData?.GetRawText() ?? throw new InvalidOperationException("An eip712 provenance needs typed_data.");

    /// <summary>
    /// The log part of a provenance, offline: the entry hashes to its leaf hash, the inclusion path leads from it to the
    /// stated root at the stated size, and the entry records this very signature.
    /// </summary>
    public static bool LogIncludesOutcome(Provenance provenance)
    {
        if (provenance.Log is not { } log) return false;
        try
        {
            var leaf = MerkleProof.LeafHash(System.Text.Encoding.UTF8.GetBytes(log.Entry));
            return string.Equals(leaf.ToHex(true), log.LeafHash, StringComparison.OrdinalIgnoreCase)
                && MerkleProof.VerifyInclusion(log.Index, log.TreeSize, leaf, [.. log.InclusionPath.Select(p => p.HexToByteArray())], log.Root.HexToByteArray())
                && JsonNode.Parse(log.Entry)?["signature"]?.GetValue<string>() == provenance.Signature
                && (provenance.Anchor is null || (provenance.Anchor.TreeSize == log.TreeSize
                    && string.Equals(provenance.Anchor.Root, log.Root, StringComparison.OrdinalIgnoreCase)));
        }
        catch (Exception e) when (e is FormatException or ArgumentException or System.Text.Json.JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// The anchor part, on chain (given the chain's JSON-RPC URL): see <see cref="ProofBundleVerifier.CheckAnchorAsync"/>.
    /// Empty when the provenance's tree head is anchored as stated.
    /// </summary>
    public static async Task<List<string>> CheckAnchorAsync(Provenance provenance, string rpcUrl) =>
        provenance.Anchor is { } anchor
            ? await ProofBundleVerifier.CheckAnchorAsync(anchor, provenance.Signer, rpcUrl)
            : ["The provenance is not anchored yet."];

    /// <summary>True when the signature recovers to <paramref name="expectedSigner"/> (case-insensitive hex).</summary>
    public static bool IsSignedBy(Provenance provenance, string expectedSigner) =>
        TypedDataMatchesMessage(provenance)
        && string.Equals(RecoverSigner(provenance), expectedSigner, StringComparison.OrdinalIgnoreCase)
        && string.Equals(provenance.Signer, expectedSigner, StringComparison.OrdinalIgnoreCase);
}
