using System.Text.Json.Nodes;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Sdk.Proofs;

/// <summary>
/// Everything needed to check a task afterwards, with no server: the signed outcome, the task's log entries with
/// inclusion proofs to a signed tree head, and the transaction that anchored that tree head on chain.
/// </summary>
public sealed record ProofBundle
{
    public required string TaskId { get; init; }
    public required Provenance Attestation { get; init; }
    public required List<BundleEntry> Entries { get; init; }
    public required SignedTreeHead TreeHead { get; init; }
    /// <summary>Null while no anchored tree head covers the task's entries yet; the proofs then lead to a fresh tree head.</summary>
    public AnchorRecord? Anchor { get; init; }
}

/// <summary>One log entry (canonical JSON), its leaf hash and the audit path to the bundle's tree head.</summary>
public sealed record BundleEntry(long Index, string Entry, string LeafHash, List<string> InclusionPath);

/// <summary>A tree head signed (EIP-191) by the ProofService key; <see cref="Message"/> is canonical JSON of size, root and time.</summary>
public sealed record SignedTreeHead(long TreeSize, string Root, long Timestamp, string Signer, string Signature, string Message)
{
    /// <summary>The exact text a tree head's signature covers.</summary>
    public static string MessageFor(long treeSize, string root, long timestamp) =>
        CanonicalJson.Serialize(new JsonObject { ["tree_size"] = treeSize, ["root"] = root, ["timestamp"] = timestamp });
}

/// <summary>Where a tree head was anchored: the contract's <c>anchor(root, size)</c> call in a mined transaction.</summary>
public sealed record AnchorRecord(string Network, long ChainId, string Contract, string TxHash, long BlockNumber, long TreeSize, string Root);

/// <summary>The outcome of checking a bundle: every failed check is named.</summary>
public sealed record BundleVerification(bool Valid, bool Anchored, bool AnchorCheckedOnChain, List<string> Problems)
{
    /// <summary>Each check that was made, in order, with what it found wrong (<see cref="Problems"/> is all of theirs).</summary>
    public List<BundleCheck> Checks { get; init; } = [];
}

/// <summary>One check of a bundle: a stable <see cref="Name"/> (<see cref="BundleChecks"/>), what it holds, and its problems (none when it passed).</summary>
public sealed record BundleCheck(string Name, string Title, List<string> Problems)
{
    public bool Passed => Problems.Count == 0;
}

/// <summary>The names of the checks <see cref="ProofBundleVerifier"/> makes.</summary>
public static class BundleChecks
{
    public const string Shape = "shape";
    public const string Signer = "signer";
    public const string AttestationSignature = "attestation_signature";
    public const string TreeHead = "tree_head_signature";
    public const string Inclusion = "inclusion";
    public const string Outcome = "outcome_entry";
    public const string Anchor = "anchor";
    public const string AnchorOnChain = "anchor_on_chain";
}
