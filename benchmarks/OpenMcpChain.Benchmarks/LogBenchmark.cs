using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MySqlConnector;
using Nethereum.Hex.HexConvertors.Extensions;
using OpenMcpChain.Sdk.Proofs;

namespace OpenMcpChain.Benchmarks;

/// <summary>
/// Durable log appends (one writer, then 64) against the database alone doing one durable insert per append; inclusion
/// and consistency proofs at the log's size after those appends and again once it is grown (batch API), with their
/// database reads counted by MariaDB itself; offline verifications per second.
/// </summary>
public static class LogBenchmark
{
    /// <summary>Proofs whose reads the server counts at each size (sequential, outside the timed runs).</summary>
    private const int CountedProofs = 200;

    public static async Task RunAsync(Uri proofService, string proofDb, int sequential, TimeSpan duration, long fillTo)
    {
        using var http = new HttpClient { BaseAddress = proofService };
        await using var server = await ServerCounters.OpenAsync(proofDb);
        var n = 0;
        async Task AppendAsync()
        {
            using var response = await http.PostAsJsonAsync("/api/log/entries", new { kind = "bench", n = Interlocked.Increment(ref n) });
            response.EnsureSuccessStatusCode();
        }
        var direct = await DirectInsertsAsync(proofDb, sequential, duration);
        var single = await Measure.RunAsync("append, 1 writer", AppendAsync, sequential, duration, concurrency: 1);
        var many = await Measure.RunAsync("append, 64 writers", AppendAsync, sequential, duration, concurrency: 64);
        // Where a batch's time goes, as the server saw it: 64 writers making 50 appends each, counted apart from the timed runs.
        var (_, counted) = await server.CountAsync(async () =>
        {
            await Task.WhenAll(Enumerable.Range(0, 64).Select(async _ =>
            {
                for (var i = 0; i < 50; i++) await AppendAsync();
            }));
            return 0;
        });
        const double Appended = 64 * 50;
        var commits = Math.Max(1, counted.GetValueOrDefault("Com_commit"));
        Console.WriteLine($"  MariaDB counted over {Appended} appends by 64 writers: {commits} commits ({Appended / commits:0.0} appends each), " +
                          $"{counted.GetValueOrDefault("Questions") / (double)commits:0.0} statements ({counted.GetValueOrDefault("Com_insert") / (double)commits:0.0} INSERTs) " +
                          $"and {counted.GetValueOrDefault("Innodb_data_fsyncs") / (double)commits:0.00} fsyncs per commit");

        var small = await ProofsAsync(http, server, sequential, duration);
        if (fillTo > 0) await FillAsync(http, fillTo);
        var large = await ProofsAsync(http, server, sequential, duration);

        var leaf = large.Last.GetProperty("leaf_hash").GetString()!.HexToByteArray();
        var index = large.Last.GetProperty("index").GetInt64();
        var path = large.Last.GetProperty("path").EnumerateArray().Select(p => p.GetString()!.HexToByteArray()).ToList();
        var verifications = 0L;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(2))
        {
            if (!MerkleProof.VerifyInclusion(index, large.Size, leaf, path, large.Root)) throw new InvalidOperationException("proof did not verify");
            verifications++;
        }
        Console.WriteLine($"{"offline verification",-24} {verifications / clock.Elapsed.TotalSeconds,8:0} verifications/s (one core, path of {path.Count})");

        Console.WriteLine();
        Console.WriteLine($"ratio 64 writers / 1 writer: {many.Throughput / single.Throughput:0.0}x appends/s (batched commits)");
        Console.WriteLine($"ratio 64 writers / the database alone (one durable insert per append, 64 connections): {many.Throughput / direct.Throughput:0.00}x appends/s");
        Console.WriteLine($"ratio inclusion proof at {large.Size} / at {small.Size}: p50 {large.Inclusion.P50 / small.Inclusion.P50:0.00}x, p99 {large.Inclusion.P99 / small.Inclusion.P99:0.00}x");
        Console.WriteLine($"ratio consistency proof at {large.Size} / at {small.Size}: p50 {large.Consistency.P50 / small.Consistency.P50:0.00}x, p99 {large.Consistency.P99 / small.Consistency.P99:0.00}x");
        Console.WriteLine();
        Console.WriteLine($"Database reads per proof, counted by MariaDB over {CountedProofs} proofs at each size (log2 of the size: {Math.Log2(small.Size):0.0} → {Math.Log2(large.Size):0.0}, {Math.Log2(large.Size) / Math.Log2(small.Size):0.00}x):");
        Console.WriteLine($"{"",-34} {$"@ {small.Size}",12} {$"@ {large.Size}",12} {"ratio",8}");
        void Row(string name, double before, double after) => Console.WriteLine($"{name,-34} {before,12:0.00} {after,12:0.00} {after / before,7:0.00}x");
        Row("inclusion: SELECT statements", small.InclusionReads.Selects, large.InclusionReads.Selects);
        Row("inclusion: rows read (proofdb)", small.InclusionReads.Rows, large.InclusionReads.Rows);
        Row("inclusion: handler reads", small.InclusionReads.HandlerReads, large.InclusionReads.HandlerReads);
        Row("consistency: SELECT statements", small.ConsistencyReads.Selects, large.ConsistencyReads.Selects);
        Row("consistency: rows read (proofdb)", small.ConsistencyReads.Rows, large.ConsistencyReads.Rows);
        Row("consistency: handler reads", small.ConsistencyReads.HandlerReads, large.ConsistencyReads.HandlerReads);
    }

    private sealed record ProofFigures(long Size, byte[] Root, JsonElement Last, Measure Inclusion, Measure Consistency, Reads InclusionReads, Reads ConsistencyReads);

    /// <summary>Inclusion proofs of random entries and consistency proofs from random earlier sizes, both to the current head.</summary>
    private static async Task<ProofFigures> ProofsAsync(HttpClient http, ServerCounters server, int sequential, TimeSpan duration)
    {
        var head = await http.GetFromJsonAsync<JsonElement>("/api/log/tree-head");
        var size = head.GetProperty("tree_size").GetInt64();
        var root = head.GetProperty("root").GetString()!.HexToByteArray();
        var random = new Random(7);
        JsonElement last = default;
        async Task IncludeAsync() => last = await http.GetFromJsonAsync<JsonElement>($"/api/log/proofs/inclusion?index={random.NextInt64(size)}&tree_size={size}");
        async Task ConsistAsync() => await http.GetFromJsonAsync<JsonElement>($"/api/log/proofs/consistency?first={random.NextInt64(1, size + 1)}&second={size}");
        var inclusion = await Measure.RunAsync($"inclusion proof @ {size}", IncludeAsync, sequential, duration, concurrency: 8);
        var consistency = await Measure.RunAsync($"consistency proof @ {size}", ConsistAsync, sequential, duration, concurrency: 8);
        async Task<Reads> CountAsync(Func<Task> proof)
        {
            var (_, delta) = await server.CountAsync(async () =>
            {
                for (var i = 0; i < CountedProofs; i++) await proof();
                return 0;
            });
            return Reads.PerCall(delta, CountedProofs);
        }
        return new(size, root, last, inclusion, consistency, await CountAsync(IncludeAsync), await CountAsync(ConsistAsync));
    }

    /// <summary>
    /// The baseline for appends: the same kind of row inserted straight into MariaDB (a scratch database), one durable
    /// autocommit insert per append from 64 pooled connections; no service, no batching, no Merkle nodes.
    /// </summary>
    private static async Task<Measure> DirectInsertsAsync(string proofDb, int sequential, TimeSpan duration)
    {
        var builder = new MySqlConnectionStringBuilder(proofDb) { Database = "", MaximumPoolSize = 100 };
        await using (var setup = new MySqlConnection(builder.ConnectionString))
        {
            await setup.OpenAsync();
            await new MySqlCommand("CREATE DATABASE IF NOT EXISTS benchdb; CREATE TABLE IF NOT EXISTS benchdb.log_entries " +
                                   "(`Index` BIGINT PRIMARY KEY, Entry LONGTEXT NOT NULL, LeafHash BINARY(32) NOT NULL, CreatedAt DATETIME(6) NOT NULL)", setup).ExecuteNonQueryAsync();
        }
        builder.Database = "benchdb";
        var next = -1L;
        async Task InsertAsync()
        {
            var index = Interlocked.Increment(ref next);
            var entry = $"{{\"kind\":\"bench\",\"n\":{index}}}";
            await using var db = new MySqlConnection(builder.ConnectionString);
            await db.OpenAsync();
            await using var insert = new MySqlCommand("INSERT INTO log_entries (`Index`, Entry, LeafHash, CreatedAt) VALUES (@i, @e, @h, UTC_TIMESTAMP(6))", db);
            insert.Parameters.AddWithValue("@i", index);
            insert.Parameters.AddWithValue("@e", entry);
            insert.Parameters.AddWithValue("@h", MerkleProof.LeafHash(Encoding.UTF8.GetBytes(entry)));
            await insert.ExecuteNonQueryAsync();
        }
        return await Measure.RunAsync("direct insert (database)", InsertAsync, sequential, duration, concurrency: 64);
    }

    /// <summary>Grows the log to <paramref name="target"/> entries with batch appends (1000 per request, 4 in flight).</summary>
    private static async Task FillAsync(HttpClient http, long target)
    {
        var size = (await http.GetFromJsonAsync<JsonElement>("/api/log/tree-head")).GetProperty("tree_size").GetInt64();
        var remaining = target - size;
        var clock = Stopwatch.StartNew();
        var filled = 0L;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            while (Interlocked.Add(ref remaining, -1000) > -1000)
            {
                var entries = Enumerable.Range(0, 1000).Select(i => new { kind = "fill", n = i, at = Interlocked.Read(ref filled) }).ToArray();
                using var response = await http.PostAsJsonAsync("/api/log/entries/batch", new { entries });
                response.EnsureSuccessStatusCode();
                var done = Interlocked.Add(ref filled, 1000);
                if (done % 100_000 == 0) Console.WriteLine($"  filled {done:N0} entries, {done / clock.Elapsed.TotalSeconds:0} appends/s");
            }
        }));
        Console.WriteLine($"{"fill (batches of 1000)",-24} {filled / clock.Elapsed.TotalSeconds,8:0} durable appends/s over {filled:N0} entries");
    }
}
