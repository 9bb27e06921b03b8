using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using OpenMcpChain.ProofService.Infrastructure;
using OpenMcpChain.Sdk.Proofs;

namespace OpenMcpChain.ProofService.Log;

/// <summary>
/// Roots and proofs from the stored perfect-subtree nodes. Which nodes a computation needs depends only on the sizes and
/// indexes, so a first pass records them, one query fetches them all (O(log n) rows per proof), and a second pass computes.
/// </summary>
public sealed class LogReader(ProofDbContext db)
{
    /// <summary>Node keys per statement: a proof needs about two per level (under 200 at any size a log reaches).</summary>
    private const int NodesPerQuery = 200;

    /// <summary>The number of entries committed to the log, by whichever replica appended them.</summary>
    public Task<long> SizeAsync(CancellationToken ct) =>
        db.LogHeads.AsNoTracking().Where(h => h.Id == LogHead.RowId).Select(h => h.Size).SingleAsync(ct);

    public Task<byte[]> RootAsync(long size, CancellationToken ct) => ComputeAsync(tree => tree.Root(size), ct);

    /// <summary>Runs <paramref name="compute"/> (any number of roots and proofs) over the stored tree, reading the nodes it needs in one query.</summary>
    public async Task<T> ComputeAsync<T>(Func<MerkleTree, T> compute, CancellationToken ct)
    {
        var needed = new HashSet<(int Level, long Index)>();
        compute(new MerkleTree((level, index) =>
        {
            needed.Add((level, index));
            return new byte[32];
        }));
        var nodes = await ReadNodesAsync(db, needed, ct);
        return compute(new MerkleTree((level, index) => nodes.TryGetValue((level, index), out var hash)
            ? hash
            : throw new InvalidOperationException($"Log node ({level}, {index}) is missing: the log is damaged.")));
    }

    /// <summary>
    /// The stored nodes among <paramref name="keys"/>, each a primary-key lookup, in as few statements as the list allows.
    /// Read with a plain command: the statement's text differs with every list, and EF Core would compile and cache a query
    /// for each one (most of a proof's CPU). Inside the caller's transaction, if any; otherwise retried as EF's queries are.
    /// </summary>
    internal static async Task<Dictionary<(int Level, long Index), byte[]>> ReadNodesAsync(
        ProofDbContext db, IReadOnlyCollection<(int Level, long Index)> keys, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is not null) return await ReadAsync(ct);
        return await db.Database.CreateExecutionStrategy().ExecuteAsync(ReadAsync, ct);

        async Task<Dictionary<(int Level, long Index), byte[]>> ReadAsync(CancellationToken ct)
        {
            var nodes = new Dictionary<(int, long), byte[]>(keys.Count);
            await db.Database.OpenConnectionAsync(ct);
            try
            {
                foreach (var chunk in keys.Chunk(NodesPerQuery))
                {
                    await using var command = db.Database.GetDbConnection().CreateCommand();
                    command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
                    // A row-constructor IN list is a primary-key lookup per pair; the values are integers we computed, not input.
                    command.CommandText = "SELECT Level, `Index`, Hash FROM log_nodes WHERE (Level, `Index`) IN ("
                                          + string.Join(",", chunk.Select(k => $"({k.Level},{k.Index})")) + ")";
                    await using var reader = await command.ExecuteReaderAsync(ct);
                    while (await reader.ReadAsync(ct)) nodes[(reader.GetInt32(0), reader.GetInt64(1))] = (byte[])reader.GetValue(2);
                }
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
            return nodes;
        }
    }
}
