using System.Numerics;

namespace OpenMcpChain.Sdk.Proofs;

/// <summary>
/// Builds RFC 9162 roots and proofs from the hashes of <em>perfect</em> subtrees (2^level leaves starting at a multiple of
/// 2^level), which a log stores once and never changes. Every hash a proof needs decomposes into O(log n) such nodes,
/// so a proof costs O(log n) reads whatever the tree size.
/// </summary>
public sealed class MerkleTree(Func<int, long, byte[]> perfectNode)
{
    /// <summary>MTH(D[start:end]): the hash of the leaves in [start, end).</summary>
    public byte[] SubtreeHash(long start, long end)
    {
        var n = end - start;
        if (n <= 0) return MerkleProof.EmptyRoot();
        if ((n & (n - 1)) == 0 && start % n == 0) return perfectNode(BitOperations.Log2((ulong)n), start / n);
        var k = LargestPowerOfTwoBelow(n);
        return MerkleProof.NodeHash(SubtreeHash(start, start + k), SubtreeHash(start + k, end));
    }

    public byte[] Root(long size) => SubtreeHash(0, size);

    /// <summary>PATH(m, D[n]) of RFC 9162 §2.1.3.1, leaf-side first.</summary>
    public List<byte[]> InclusionPath(long leafIndex, long treeSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(leafIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(leafIndex, treeSize);
        var path = new List<byte[]>();
        Path(leafIndex, 0, treeSize, path);
        return path;
    }

    /// <summary>PROOF(m, D[n]) of RFC 9162 §2.1.4.1.</summary>
    public List<byte[]> ConsistencyProof(long firstSize, long secondSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(firstSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(firstSize, secondSize);
        var proof = new List<byte[]>();
        if (firstSize < secondSize) SubProof(firstSize, 0, secondSize, true, proof);
        return proof;
    }

    private void Path(long m, long start, long end, List<byte[]> path)
    {
        var n = end - start;
        if (n == 1) return;
        var k = LargestPowerOfTwoBelow(n);
        if (m < k)
        {
            Path(m, start, start + k, path);
            path.Add(SubtreeHash(start + k, end));
        }
        else
        {
            Path(m - k, start + k, end, path);
            path.Add(SubtreeHash(start, start + k));
        }
    }

    private void SubProof(long m, long start, long end, bool complete, List<byte[]> proof)
    {
        var n = end - start;
        if (m == n)
        {
            if (!complete) proof.Add(SubtreeHash(start, end));
            return;
        }
        var k = LargestPowerOfTwoBelow(n);
        if (m <= k)
        {
            SubProof(m, start, start + k, complete, proof);
            proof.Add(SubtreeHash(start + k, end));
        }
        else
        {
            SubProof(m - k, start + k, end, false, proof);
            proof.Add(SubtreeHash(start, start + k));
        }
    }

    /// <summary>The largest power of two strictly below <paramref name="n"/> (n ≥ 2).</summary>
    public static long LargestPowerOfTwoBelow(long n) => 1L << BitOperations.Log2((ulong)(n - 1));
}
