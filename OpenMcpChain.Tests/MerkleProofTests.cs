using System.Security.Cryptography;
using System.Text;
using OpenMcpChain.Sdk.Proofs;

namespace OpenMcpChain.Tests;

/// <summary>The log's proofs against a second, deliberately naive implementation written straight from RFC 9162 §2.1.</summary>
public sealed class MerkleProofTests
{
    private const int MaxSize = 64;
    private static readonly byte[][] Entries = [.. Enumerable.Range(0, MaxSize).Select(i => Encoding.UTF8.GetBytes($"{{\"entry\":{i}}}"))];

    // --- The naive reference: recursion over the entries themselves, exactly as the RFC writes it. ---
    private static byte[] Mth(ArraySegment<byte[]> d) => d.Count switch
    {
        0 => SHA256.HashData([]),
        1 => SHA256.HashData([0x00, .. d[0]]),
        _ => SHA256.HashData([0x01, .. Mth(d[..K(d.Count)]), .. Mth(d[K(d.Count)..])]),
    };

    private static int K(int n)
    {
        var k = 1;
        while (k * 2 < n) k *= 2;
        return k;
    }

    private static List<byte[]> NaivePath(int m, ArraySegment<byte[]> d)
    {
        if (d.Count == 1) return [];
        var k = K(d.Count);
        return m < k ? [.. NaivePath(m, d[..k]), Mth(d[k..])] : [.. NaivePath(m - k, d[k..]), Mth(d[..k])];
    }

    private static List<byte[]> NaiveProof(int m, ArraySegment<byte[]> d) => NaiveSubProof(m, d, true);

    private static List<byte[]> NaiveSubProof(int m, ArraySegment<byte[]> d, bool b)
    {
        if (m == d.Count) return b ? [] : [Mth(d)];
        var k = K(d.Count);
        return m <= k
            ? [.. NaiveSubProof(m, d[..k], b), Mth(d[k..])]
            : [.. NaiveSubProof(m - k, d[k..], false), Mth(d[..k])];
    }

    private static ArraySegment<byte[]> D(int n) => new(Entries, 0, n);

    /// <summary>The tree under test reads only perfect-subtree nodes, as the database-backed log does.</summary>
    private static MerkleTree Tree(out Func<int> reads)
    {
        var count = 0;
        reads = () => count;
        return new MerkleTree((level, index) =>
        {
            count++;
            return Mth(new ArraySegment<byte[]>(Entries, (int)(index << level), 1 << level));
        });
    }

    [Fact]
    public void RootOfALeafListMatchesTheReferenceForEverySize()
    {
        Assert.Equal(Mth(ArraySegment<byte[]>.Empty), MerkleProof.RootOf([]));
        for (var n = 1; n <= MaxSize; n++)
        {
            var leaves = Entries[..n].Select(e => MerkleProof.LeafHash(e)).ToList();
            Assert.Equal(Mth(new ArraySegment<byte[]>(Entries, 0, n)), MerkleProof.RootOf(leaves));
        }
    }

    [Fact]
    public void RootsMatchTheReferenceForEverySize()
    {
        var tree = Tree(out _);
        for (var n = 0; n <= MaxSize; n++)
            Assert.Equal(Mth(D(n)), tree.Root(n));
    }

    [Fact]
    public void InclusionProofsMatchTheReferenceAndVerifyForEveryIndexOfEverySize()
    {
        var tree = Tree(out _);
        for (var n = 1; n <= MaxSize; n++)
        {
            var root = Mth(D(n));
            for (var m = 0; m < n; m++)
            {
                var path = tree.InclusionPath(m, n);
                Assert.Equal(NaivePath(m, D(n)), path);
                Assert.True(MerkleProof.VerifyInclusion(m, n, MerkleProof.LeafHash(Entries[m]), path, root), $"m={m} n={n}");
            }
        }
    }

    [Fact]
    public void ConsistencyProofsMatchTheReferenceAndVerifyForEveryPairOfSizes()
    {
        var tree = Tree(out _);
        for (var n = 1; n <= MaxSize; n++)
        {
            for (var m = 1; m <= n; m++)
            {
                var proof = tree.ConsistencyProof(m, n);
                Assert.Equal(NaiveProof(m, D(n)), proof);
                Assert.True(MerkleProof.VerifyConsistency(m, n, Mth(D(m)), Mth(D(n)), proof), $"m={m} n={n}");
            }
        }
    }

    [Fact]
    public void CorruptedInclusionProofsAreRejected()
    {
        var tree = Tree(out _);
        for (var n = 1; n <= MaxSize; n++)
        {
            var root = Mth(D(n));
            for (var m = 0; m < n; m++)
            {
                var leaf = MerkleProof.LeafHash(Entries[m]);
                var path = tree.InclusionPath(m, n);
                foreach (var flipped in BitFlips(path))
                    Assert.False(MerkleProof.VerifyInclusion(m, n, leaf, flipped, root));
                Assert.False(MerkleProof.VerifyInclusion(m, n, leaf, [.. path, root], root)); // an extra node
                if (path.Count > 0) Assert.False(MerkleProof.VerifyInclusion(m, n, leaf, path[..^1], root)); // a missing node
                if (n > 1) Assert.False(MerkleProof.VerifyInclusion((m + 1) % n, n, leaf, path, root)); // wrong index
                if (n < MaxSize) Assert.False(MerkleProof.VerifyInclusion(m, n + 1, leaf, path, Mth(D(n + 1)))); // wrong size
                Assert.False(MerkleProof.VerifyInclusion(m, n, MerkleProof.LeafHash([.. Entries[m], 0x20]), path, root)); // changed entry
            }
        }
    }

    [Fact]
    public void CorruptedConsistencyProofsAreRejected()
    {
        var tree = Tree(out _);
        for (var n = 2; n <= MaxSize; n++)
        {
            for (var m = 1; m < n; m++)
            {
                var (first, second) = (Mth(D(m)), Mth(D(n)));
                var proof = tree.ConsistencyProof(m, n);
                foreach (var flipped in BitFlips(proof))
                    Assert.False(MerkleProof.VerifyConsistency(m, n, first, second, flipped));
                Assert.False(MerkleProof.VerifyConsistency(m, n, first, second, [.. proof, second]));
                Assert.False(MerkleProof.VerifyConsistency(m, n, first, second, proof[..^1]));
                if (m > 1) Assert.False(MerkleProof.VerifyConsistency(m - 1, n, Mth(D(m - 1)), second, proof));
                // A rewritten history: the first tree with one entry changed cannot be consistent with the second.
                var rewritten = Entries[..m].ToArray();
                rewritten[m / 2] = [.. rewritten[m / 2], 0x20];
                Assert.False(MerkleProof.VerifyConsistency(m, n, Mth(rewritten), second, proof));
            }
        }
    }

    [Fact]
    public void FrontierAppendsProduceExactlyThePerfectSubtreesOfTheReference()
    {
        var frontier = new MerkleFrontier();
        var stored = new Dictionary<(int, long), byte[]>();
        for (var i = 0; i < MaxSize; i++)
        {
            foreach (var (level, index, hash) in frontier.Append(i, MerkleProof.LeafHash(Entries[i])))
            {
                Assert.Equal(Mth(new ArraySegment<byte[]>(Entries, (int)(index << level), 1 << level)), hash);
                Assert.True(stored.TryAdd((level, index), hash), $"node ({level},{index}) written twice");
            }
            var tree = new MerkleTree((level, index) => stored[(level, index)]);
            Assert.Equal(Mth(D(i + 1)), tree.Root(i + 1));
        }
    }

    [Fact]
    public void ProofsReadLogarithmicallyManyStoredNodes()
    {
        // Stored nodes stand in for a million-entry log: only how many are read matters here.
        var count = 0;
        Func<int> reads = () => count;
        var tree = new MerkleTree((level, index) =>
        {
            count++;
            return SHA256.HashData(Encoding.UTF8.GetBytes($"{level}:{index}"));
        });
        const long size = 1_000_003;
        var before = reads();
        tree.InclusionPath(777_777, size);
        var inclusionReads = reads() - before;
        before = reads();
        tree.ConsistencyProof(500_001, size);
        var consistencyReads = reads() - before;

        // ⌈log2(n)⌉ = 20: a proof needs at most about two stored nodes per level, never a scan of the leaves.
        Assert.InRange(inclusionReads, 1, 2 * 20);
        Assert.InRange(consistencyReads, 1, 2 * 20);
    }

    private static IEnumerable<List<byte[]>> BitFlips(List<byte[]> proof)
    {
        for (var i = 0; i < proof.Count; i++)
        {
            var copy = proof.Select(p => p.ToArray()).ToList();
            copy[i][i % 32] ^= 0x01;
            yield return copy;
        }
    }
}
