using System.Text;
using Microsoft.EntityFrameworkCore;
using OpenMcpChain.ProofService.Infrastructure;
using OpenMcpChain.Sdk.Proofs;

namespace OpenMcpChain.ProofService.Log;

/// <summary>What the verifier found: the first index where the stored log stops being what was appended.</summary>
public sealed record VerifyReport(bool Ok, long Size, long? FirstBadIndex, string? Problem);

/// <summary>
/// Recomputes the whole tree from the stored entries and compares it with the stored leaf hashes and subtree nodes,
/// reporting the first index where an entry was changed, deleted, inserted or reordered.
/// </summary>
public sealed class LogVerifier(ProofDbContext db)
{
    private const int Page = 5000;

    public async Task<VerifyReport> VerifyAsync(CancellationToken ct)
    {
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
            }
        }
        return expected < storedLeaves
            ? new(false, expected, expected, $"entries from {expected} on were deleted")
            : new(true, expected, null, null);
    }

    private static bool Matches(Dictionary<(int, long), byte[]> nodes, int level, long index, byte[] hash) =>
        nodes.TryGetValue((level, index), out var stored) && stored.AsSpan().SequenceEqual(hash);
}
