namespace OpenMcpChain.Sdk.Proofs;

/// <summary>
/// The members a <see cref="ProofBundle"/> must have before any check can run, named as the API spells them. JSON lets a
/// caller leave out or null what the contract says is always there; this is the one place that is caught.
/// </summary>
public static class ProofBundleShape
{
    /// <summary>The most entries a bundle holds (the ProofService serves at most this many per task).</summary>
    public const int MaxEntries = 1000;
    /// <summary>The longest inclusion path: one hash per tree level, and a log of 2^63 entries has 63 levels.</summary>
    public const int MaxPathLength = 64;

    /// <summary>What is missing or out of bounds in <paramref name="bundle"/>; empty when the bundle can be checked.</summary>
    public static List<string> Problems(ProofBundle? bundle)
    {
        var missing = new List<string>();
        void Require(object? value, string name)
        {
            if (value is null) missing.Add($"{name} is missing or null.");
        }

        if (bundle is null) return ["The body is not a proof bundle (task_id, attestation, entries, tree_head, anchor)."];
        Require(bundle.TaskId, "task_id");
        if (bundle.Attestation is { } a)
        {
            Require(a.Signer, "attestation.signer");
            Require(a.Signature, "attestation.signature");
            Require(a.Scheme, "attestation.scheme");
            Require(a.Message, "attestation.message");
        }
        else Require(null, "attestation");
        if (bundle.TreeHead is { } head)
        {
            Require(head.Root, "tree_head.root");
            Require(head.Signer, "tree_head.signer");
            Require(head.Signature, "tree_head.signature");
            Require(head.Message, "tree_head.message");
        }
        else Require(null, "tree_head");
        if (bundle.Anchor is { } anchor)
        {
            Require(anchor.Network, "anchor.network");
            Require(anchor.Contract, "anchor.contract");
            Require(anchor.TxHash, "anchor.tx_hash");
            Require(anchor.Root, "anchor.root");
        }
        if (bundle.Entries is not { } entries)
        {
            Require(null, "entries");
            return missing;
        }
        if (entries.Count > MaxEntries) missing.Add($"entries holds {entries.Count} entries; a bundle has at most {MaxEntries}.");
        for (var i = 0; i < entries.Count && missing.Count < 20; i++)
        {
            if (entries[i] is not { } entry)
            {
                Require(null, $"entries[{i}]");
                continue;
            }
            Require(entry.Entry, $"entries[{i}].entry");
            Require(entry.LeafHash, $"entries[{i}].leaf_hash");
            if (entry.InclusionPath is not { } path) Require(null, $"entries[{i}].inclusion_path");
            else if (path.Count > MaxPathLength) missing.Add($"entries[{i}].inclusion_path has {path.Count} hashes; at most {MaxPathLength}.");
            else if (path.IndexOf(null!) is >= 0 and var j) Require(null, $"entries[{i}].inclusion_path[{j}]");
        }
        return missing;
    }
}
