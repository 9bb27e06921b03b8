namespace OpenMcpChain.Sdk.Proofs;

/// <summary>
/// The right edge of an append-only RFC 9162 tree: at most one pending left child per level. Appending a leaf returns
/// the leaf node and every perfect subtree it completes, bottom-up.
/// </summary>
public sealed class MerkleFrontier
{
    private readonly Dictionary<int, byte[]> _pending;

    public MerkleFrontier(IReadOnlyDictionary<int, byte[]>? pending = null) => _pending = pending is null ? [] : new(pending);

    /// <summary>Level → the newest perfect subtree at that level still waiting for its right sibling.</summary>
    public IReadOnlyDictionary<int, byte[]> Pending => _pending;

    public MerkleFrontier Clone() => new(_pending);

    public List<(int Level, long Index, byte[] Hash)> Append(long leafIndex, byte[] leafHash)
    {
        var completed = new List<(int, long, byte[])> { (0, leafIndex, leafHash) };
        var (level, position, hash) = (0, leafIndex, leafHash);
        while ((position & 1) == 1)
        {
            hash = MerkleProof.NodeHash(_pending[level], hash);
            _pending.Remove(level);
            level++;
            position >>= 1;
            completed.Add((level, position, hash));
        }
        _pending[level] = hash;
        return completed;
    }
}
