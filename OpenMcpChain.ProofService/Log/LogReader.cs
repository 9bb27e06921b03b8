using Microsoft.EntityFrameworkCore;
using OpenMcpChain.ProofService.Infrastructure;
using OpenMcpChain.Sdk.Proofs;

namespace OpenMcpChain.ProofService.Log;

/// <summary>
/// Roots and proofs from the stored perfect-subtree nodes. Which nodes a proof needs depends only on the sizes and the
/// index, so a first pass records them, one query fetches them all (O(log n) rows), and a second pass computes.
/// </summary>
public sealed class LogReader(ProofDbContext db)
{
    /// <summary>The number of entries committed to the log, by whichever replica appended them.</summary>
    public Task<long> SizeAsync(CancellationToken ct) =>
        db.LogHeads.AsNoTracking().Where(h => h.Id == LogHead.RowId).Select(h => h.Size).SingleAsync(ct);

    public Task<byte[]> RootAsync(long size, CancellationToken ct) => RunAsync(tree => tree.Root(size), ct);

    public Task<List<byte[]>> InclusionPathAsync(long index, long size, CancellationToken ct) =>
        RunAsync(tree => tree.InclusionPath(index, size), ct);

    public Task<List<byte[]>> ConsistencyProofAsync(long first, long second, CancellationToken ct) =>
        RunAsync(tree => tree.ConsistencyProof(first, second), ct);

    private async Task<T> RunAsync<T>(Func<MerkleTree, T> compute, CancellationToken ct)
    {
        var needed = new HashSet<(int Level, long Index)>();
        compute(new MerkleTree((level, index) =>
        {
            needed.Add((level, index));
            return new byte[32];
        }));
        var nodes = new Dictionary<(int, long), byte[]>();
        foreach (var chunk in needed.Chunk(200))
        {
            // A row-constructor IN list is a primary-key lookup per pair; the values are integers we computed, not input.
            var pairs = string.Join(",", chunk.Select(k => $"({k.Level},{k.Index})"));
            var sql = "SELECT * FROM log_nodes WHERE (Level, `Index`) IN (" + pairs + ")";
            var rows = await db.LogNodes.FromSqlRaw(sql).AsNoTracking().ToListAsync(ct);
            foreach (var row in rows) nodes[(row.Level, row.Index)] = row.Hash;
        }
        return compute(new MerkleTree((level, index) => nodes.TryGetValue((level, index), out var hash)
            ? hash
            : throw new InvalidOperationException($"Log node ({level}, {index}) is missing: the log is damaged.")));
    }
}
