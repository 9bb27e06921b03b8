using System.Text;
using Microsoft.EntityFrameworkCore;
using OpenMcpChain.ProofService.Infrastructure;
using OpenMcpChain.Sdk.Proofs;

namespace OpenMcpChain.ProofService.Log;

/// <summary>What the verifier found: the first index where the stored log stops being what was appended.</summary>
public sealed record VerifyReport(bool Ok, long Size, long? FirstBadIndex, string? Problem);

/// <summary>A tree head the caller holds (say, one signed and handed out earlier): the log must still lead to its root.</summary>
public sealed record TrustedTreeHead(long TreeSize, byte[] Root);

/// <summary>
/// Recomputes the whole tree from the stored entries and compares it with the stored leaf hashes and subtree nodes,
/// reporting the first index where an entry was changed, deleted, inserted or reordered. Stored nodes rewritten to
/// match an edit look consistent, so only a tree head kept from before can expose that: given one, its root is
/// recomputed from the entries too.
/// </summary>
public sealed class LogVerifier(ProofDbContext db)
{
    private const int Page = 5000;

    public async Task<VerifyReport> VerifyAsync(TrustedTreeHead? trusted, CancellationToken ct)
    {
        // One consistent snapshot (InnoDB's repeatable read): an append committing while the log is read is not part of
        // what is checked, rather than looking like an entry inserted behind the tree's back.
        await using var snapshot = await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var storedLeaves = await db.LogNodes.CountAsync(n => n.Level == 0, ct);
        var expected = 0L;
        var frontier = new MerkleFrontier();
        while (true)
        {
            var page = await db.LogEntries.AsNoTracking().Where(e => e.Index >= expected)
                .OrderBy(e => e.Index).Take(Page).ToListAsync(ct);
            if (page.Count == 0) break;
            var last = page[^1].Index;
            var nodes = new Dictionary<(int, long), byte[]>();
            for (var level = 0; level < 63 && (1L << level) <= last + 1; level++)
            {
                var (from, to, at) = (expected >> level, last >> level, level);
                foreach (var n in await db.LogNodes.AsNoTracking().Where(n => n.Level == at && n.Index >= from && n.Index <= to).ToListAsync(ct))
                    nodes[(n.Level, n.Index)] = n.Hash;
            }
            foreach (var entry in page)
            {
                if (entry.Index != expected)
                    return new(false, expected, expected, $"entry {expected} is missing (deleted), the next stored is {entry.Index}");
                if (expected >= storedLeaves)
                    return new(false, storedLeaves, expected, $"entry {expected} was inserted: the tree never contained it");
                var leaf = MerkleProof.LeafHash(Encoding.UTF8.GetBytes(entry.Entry));
                if (!leaf.AsSpan().SequenceEqual(entry.LeafHash) || !Matches(nodes, 0, expected, leaf))
                    return new(false, expected, expected, $"entry {expected} was changed or moved: its content no longer hashes to the tree's leaf");
                foreach (var (level, index, hash) in frontier.Append(expected, leaf).Skip(1))
                {
                    if (!Matches(nodes, level, index, hash))
                        return new(false, expected, index << level, $"the subtree of entries {index << level}..{expected} no longer matches its stored hash");
                }
                expected++;
                if (expected == trusted?.TreeSize && !RootOf(frontier).AsSpan().SequenceEqual(trusted.Root))
                    return new(false, expected, null, $"the first {expected} entries no longer lead to the trusted tree head's root");
            }
        }
        if (expected < storedLeaves) return new(false, expected, expected, $"entries from {expected} on were deleted");
        if (expected < trusted?.TreeSize)
            return new(false, expected, expected, $"the log holds {expected} entries, fewer than the trusted tree head's {trusted.TreeSize}");
        return new(true, expected, null, null);
    }

    /// <summary>The root of the tree whose right edge is <paramref name="frontier"/>: its perfect subtrees folded from the smallest.</summary>
    private static byte[] RootOf(MerkleFrontier frontier)
    {
        byte[]? root = null;
        foreach (var (_, hash) in frontier.Pending.OrderBy(p => p.Key))
            root = root is null ? hash : MerkleProof.NodeHash(hash, root);
        return root ?? MerkleProof.EmptyRoot();
    }

    private static bool Matches(Dictionary<(int, long), byte[]> nodes, int level, long index, byte[] hash) =>
        nodes.TryGetValue((level, index), out var stored) && stored.AsSpan().SequenceEqual(hash);
}
