using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Signer;
using Nethereum.Signer.EIP712;
using OpenMcpChain.Sdk.Proofs;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Sdk;

/// <summary>Checks a task's provenance offline, with no server.</summary>
public static class ProvenanceVerifier
{
    /// <summary>Recovers the address that produced <paramref name="provenance"/>'s signature over its message.</summary>
    /// <exception cref="FormatException">The signature, or the typed data it signs, is not well formed.</exception>
    public static string RecoverSigner(Provenance provenance)
    {
        if (!Hashes.IsSignature(provenance.Signature)) throw new FormatException("The signature is not 0x and 130 hex digits.");
        return provenance.Scheme switch
        {
            "eip191" => new EthereumMessageSigner().EncodeUTF8AndEcRecover(provenance.Message ?? "", provenance.Signature),
            "eip712" => new Eip712TypedDataSigner().RecoverFromSignatureV4(
                TaskOutcomeTypedData.ToJson(TaskOutcomeTypedData.Read(provenance.TypedData, out var problem) ?? throw new FormatException(problem)),
                provenance.Signature),
            _ => throw new NotSupportedException($"Unknown signature scheme '{provenance.Scheme}'."),
        };
    }

    /// <summary>
    /// For EIP-712: the signed typed data binds the readable <see cref="Provenance.Message"/> (task id and the hashes of
    /// its goal and canonical result), so what a reader sees is what was signed.
    /// </summary>
    public static bool TypedDataMatchesMessage(Provenance provenance) =>
        provenance.Scheme != "eip712" || MessageMismatch(provenance, TaskOutcomeTypedData.Read(provenance.TypedData, out _)) is null;

    /// <summary>
    /// Everything wrong with the signature part of <paramref name="provenance"/> (empty when its signature recovers to
    /// <paramref name="expectedSigner"/> and, for EIP-712, its typed data binds its readable message). Never throws.
    /// </summary>
    public static List<string> SignatureProblems(Provenance provenance, string expectedSigner)
    {
        var problems = new List<string>();
        if (!Hashes.IsAddress(provenance.Signer)) problems.Add("signer is not an address (0x and 40 hex digits).");
        if (!Hashes.IsSignature(provenance.Signature)) problems.Add("signature is not 65 bytes (0x and 130 hex digits).");
        if (provenance.Message is null) problems.Add("message is missing.");
        TaskOutcomeMessage? signed = null;
        if (provenance.Scheme == "eip712")
        {
            signed = TaskOutcomeTypedData.Read(provenance.TypedData, out var problem);
            if (problem is not null) problems.Add(problem);
            else if (MessageMismatch(provenance, signed) is { } mismatch) problems.Add(mismatch);
        }
        else if (provenance.Scheme != "eip191")
        {
            problems.Add($"scheme '{provenance.Scheme}' is neither eip191 nor eip712.");
        }
        if (problems.Count > 0) return problems;

        var recovered = Recover(() => signed is null
            ? new EthereumMessageSigner().EncodeUTF8AndEcRecover(provenance.Message, provenance.Signature)
            : new Eip712TypedDataSigner().RecoverFromSignatureV4(TaskOutcomeTypedData.ToJson(signed), provenance.Signature));
        if (!SameAddress(recovered, expectedSigner) || !SameAddress(provenance.Signer, expectedSigner))
            problems.Add($"signature does not recover to {expectedSigner}.");
        return problems;
    }

    /// <summary>The address that signed <paramref name="message"/> (EIP-191), or null when the signature recovers to no key.</summary>
    public static string? RecoverPersonalSigner(string message, string signature) =>
        Hashes.IsSignature(signature) ? Recover(() => new EthereumMessageSigner().EncodeUTF8AndEcRecover(message, signature)) : null;

    /// <summary>
    /// The log part of a provenance, offline: the entry hashes to its leaf hash, the inclusion path leads from it to the
    /// stated root at the stated size, and the entry records this very signature.
    /// </summary>
    public static bool LogIncludesOutcome(Provenance provenance)
    {
        if (provenance.Log is not { Entry: not null, InclusionPath: not null } log || !Hashes.IsHash(log.Root)
            || log.InclusionPath.Any(p => !Hashes.IsHash(p)))
            return false;
        var leaf = MerkleProof.LeafHash(System.Text.Encoding.UTF8.GetBytes(log.Entry));
        return string.Equals(leaf.ToHex(true), log.LeafHash, StringComparison.OrdinalIgnoreCase)
            && MerkleProof.VerifyInclusion(log.Index, log.TreeSize, leaf, [.. log.InclusionPath.Select(p => p.HexToByteArray())], log.Root.HexToByteArray())
            && StrictJson.Object(log.Entry)?.StringMember("signature") is { } recorded && recorded == provenance.Signature
            && (provenance.Anchor is null || (provenance.Anchor.TreeSize == log.TreeSize
                && string.Equals(provenance.Anchor.Root, log.Root, StringComparison.OrdinalIgnoreCase)));
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
    public static bool IsSignedBy(Provenance provenance, string expectedSigner) => SignatureProblems(provenance, expectedSigner).Count == 0;

    /// <summary>Why the signed typed data does not bind the readable message (task id, goal, canonical result), or null when it does.</summary>
    private static string? MessageMismatch(Provenance provenance, TaskOutcomeMessage? signed)
    {
        if (signed is null) return "typed_data is not a TaskOutcome.";
        if (StrictJson.Object(provenance.Message) is not { } readable || readable.StringMember("task_id") is not { } taskId
            || readable.StringMember("goal") is not { } goal || !readable.TryGetProperty("result", out var result))
            return "message is not a JSON object with task_id, goal and result.";
        return signed.TaskId == taskId
               && string.Equals(signed.GoalHash, TaskOutcomeTypedData.Keccak(goal), StringComparison.OrdinalIgnoreCase)
               && string.Equals(signed.ResultHash, TaskOutcomeTypedData.Keccak(CanonicalJson.Serialize(System.Text.Json.Nodes.JsonNode.Parse(result.GetRawText()))),
                   StringComparison.OrdinalIgnoreCase)
            ? null
            : "typed_data does not sign this message (task id, goal hash or result hash differ).";
    }

    /// <summary>
    /// Runs an ecrecover. The curve library signals a signature that names no point (r or s out of range, an impossible
    /// v) by throwing from wherever it fails, so here, and only here, any failure means "recovers to no key".
    /// </summary>
    private static string? Recover(Func<string> recover)
    {
        try
        {
            return recover();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
    }

    private static bool SameAddress(string? a, string? b) => a is not null && b is not null && string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
