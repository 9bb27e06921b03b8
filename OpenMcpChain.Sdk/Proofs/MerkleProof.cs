using System.Security.Cryptography;

namespace OpenMcpChain.Sdk.Proofs;

/// <summary>
/// RFC 9162 (Certificate Transparency v2) Merkle hashing and proof verification, offline:
/// leaf hash SHA-256(0x00 ‖ entry), node hash SHA-256(0x01 ‖ left ‖ right).
/// </summary>
public static class MerkleProof
{
    public static byte[] LeafHash(ReadOnlySpan<byte> entry)
    {
        Span<byte> buffer = entry.Length < 1024 ? stackalloc byte[entry.Length + 1] : new byte[entry.Length + 1];
        buffer[0] = 0x00;
        entry.CopyTo(buffer[1..]);
        return SHA256.HashData(buffer);
    }

    public static byte[] NodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        Span<byte> buffer = stackalloc byte[65];
        buffer[0] = 0x01;
        left.CopyTo(buffer[1..]);
        right.CopyTo(buffer[33..]);
        return SHA256.HashData(buffer);
    }

    /// <summary>The root of the empty tree: SHA-256 of nothing.</summary>
    public static byte[] EmptyRoot() => SHA256.HashData([]);

    /// <summary>The RFC 9162 root (MTH) of a list of leaf hashes, computed in memory (a task's steps, a bundle's entries).</summary>
    public static byte[] RootOf(IReadOnlyList<byte[]> leafHashes) =>
        leafHashes.Count == 0 ? EmptyRoot() : new MerkleTree((level, index) => Subtree(leafHashes, level, index)).Root(leafHashes.Count);

    private static byte[] Subtree(IReadOnlyList<byte[]> leaves, int level, long index) => level == 0
        ? leaves[(int)index]
        : NodeHash(Subtree(leaves, level - 1, 2 * index), Subtree(leaves, level - 1, 2 * index + 1));

    /// <summary>RFC 9162 §2.1.3.2: does <paramref name="path"/> lead from the leaf at <paramref name="leafIndex"/> to <paramref name="root"/> of a tree of <paramref name="treeSize"/>?</summary>
    public static bool VerifyInclusion(long leafIndex, long treeSize, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> path, ReadOnlySpan<byte> root)
    {
        if (leafIndex < 0 || leafIndex >= treeSize || leafHash.Length != 32) return false;
        var fn = leafIndex;
        var sn = treeSize - 1;
        var r = leafHash.ToArray();
        foreach (var p in path)
        {
            if (sn == 0 || p.Length != 32) return false;
            if ((fn & 1) == 1 || fn == sn)
            {
                r = NodeHash(p, r);
                if ((fn & 1) == 0)
                {
                    do
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                    while ((fn & 1) == 0 && fn != 0);
                }
            }
            else
            {
                r = NodeHash(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && r.AsSpan().SequenceEqual(root);
    }

    /// <summary>RFC 9162 §2.1.4.2: is the tree of <paramref name="secondSize"/> an append-only extension of the one of <paramref name="firstSize"/>?</summary>
    public static bool VerifyConsistency(long firstSize, long secondSize, ReadOnlySpan<byte> firstRoot, ReadOnlySpan<byte> secondRoot, IReadOnlyList<byte[]> proof)
    {
        if (firstSize < 1 || firstSize > secondSize) return false;
        if (firstSize == secondSize) return proof.Count == 0 && firstRoot.SequenceEqual(secondRoot);
        if (proof.Count == 0 || proof.Any(p => p.Length != 32)) return false;
        var path = new List<byte[]>(proof.Count + 1);
        if ((firstSize & (firstSize - 1)) == 0) path.Add(firstRoot.ToArray());
        path.AddRange(proof);

        var fn = firstSize - 1;
        var sn = secondSize - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }
        var fr = path[0];
        var sr = path[0];
        foreach (var c in path.Skip(1))
        {
            if (sn == 0) return false;
            if ((fn & 1) == 1 || fn == sn)
            {
                fr = NodeHash(c, fr);
                sr = NodeHash(c, sr);
                if ((fn & 1) == 0)
                {
                    do
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                    while ((fn & 1) == 0 && fn != 0);
                }
            }
            else
            {
                sr = NodeHash(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && fr.AsSpan().SequenceEqual(firstRoot) && sr.AsSpan().SequenceEqual(secondRoot);
    }
}
