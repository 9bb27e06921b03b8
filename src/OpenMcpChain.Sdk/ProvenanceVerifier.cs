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

    /// <summary>True when the signature recovers to <paramref name="expectedSigner"/> (case-insensitive hex).</summary>
    public static bool IsSignedBy(Provenance provenance, string expectedSigner) =>
        TypedDataMatchesMessage(provenance)
        && string.Equals(RecoverSigner(provenance), expectedSigner, StringComparison.OrdinalIgnoreCase)
        && string.Equals(provenance.Signer, expectedSigner, StringComparison.OrdinalIgnoreCase);
}
