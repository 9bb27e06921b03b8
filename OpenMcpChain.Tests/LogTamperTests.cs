using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Aspire.Hosting.Testing;
using MySqlConnector;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Signer;
using OpenMcpChain.Sdk.Proofs;

namespace OpenMcpChain.Tests;

/// <summary>
/// Rows of the log changed, deleted, inserted and reordered directly in MariaDB: the verifier names the first bad index,
/// and an edit whose stored subtree hashes were rewritten to match is still caught against a signed tree head. Every
/// test restores what it changed and checks that the log verifies again.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class LogTamperTests(SystemFixture system)
{
    private HttpClient Proofs => system.CreateClient("proofservice");

    /// <summary>Appends <paramref name="count"/> entries as one batch, so they sit side by side whatever else writes to the log.</summary>
    private async Task<(long First, long Size)> AppendAsync(int count)
    {
        using var response = await Proofs.PostAsJsonAsync("/api/log/entries/batch",
            new { entries = Enumerable.Range(0, count).Select(i => new { kind = "tamper-test", i }).ToArray() });
        var first = (await response.Content.ReadFromJsonAsync<JsonElement>())[0].GetProperty("index").GetInt64();
        return (first, first + count);
    }

    private async Task<JsonElement> VerifyAsync(string query = "") => await Proofs.GetFromJsonAsync<JsonElement>($"/api/log/verify{query}");

    private async Task AssertVerifiesAsync(string query = "")
    {
        var report = await VerifyAsync(query);
        Assert.True(report.GetProperty("ok").GetBoolean(), $"after restoring: {report}");
    }

    /// <summary>The current tree head, checked to be signed by the configured proof signer over its size, root and time.</summary>
    private async Task<(long Size, string Root)> SignedTreeHeadAsync()
    {
        var head = await Proofs.GetFromJsonAsync<JsonElement>("/api/log/tree-head");
        var (size, root) = (head.GetProperty("tree_size").GetInt64(), head.GetProperty("root").GetString()!);
        var message = SignedTreeHead.MessageFor(size, root, head.GetProperty("timestamp").GetInt64());
        Assert.Equal(await system.ConfiguredProofSignerAsync(),
            new EthereumMessageSigner().EncodeUTF8AndEcRecover(message, head.GetProperty("signature").GetString()), ignoreCase: true);
        return (size, root);
    }

    private async Task<MySqlConnection> OpenAsync()
    {
        var connection = new MySqlConnection(await system.App.GetConnectionStringAsync("proofdb"));
        await connection.OpenAsync();
        return connection;
    }

    private async Task<int> SqlAsync(string sql, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await OpenAsync();
        await using var command = new MySqlCommand(sql, connection);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return await command.ExecuteNonQueryAsync();
    }

    private sealed record EntryRow(long Index, string Entry, byte[] LeafHash, string? TaskId, DateTime CreatedAt);

    private async Task<EntryRow> ReadEntryAsync(long index)
    {
        await using var connection = await OpenAsync();
        await using var command = new MySqlCommand("SELECT Entry, LeafHash, TaskId, CreatedAt FROM log_entries WHERE `Index` = @i", connection);
        command.Parameters.AddWithValue("@i", index);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"entry {index} is not stored");
        return new(index, reader.GetString(0), (byte[])reader[1], reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetDateTime(3));
    }

    private Task<int> WriteEntryAsync(long index, string entry, byte[] leafHash) =>
        SqlAsync("UPDATE log_entries SET Entry = @e, LeafHash = @h WHERE `Index` = @i", ("@e", entry), ("@h", leafHash), ("@i", index));

    [Fact]
    public async Task AnUntouchedLogVerifies()
    {
        await AppendAsync(5);
        var (size, root) = await SignedTreeHeadAsync();
        var report = await VerifyAsync();
        Assert.True(report.GetProperty("ok").GetBoolean(), report.ToString());
        // …and still leads to the root it signed a moment ago.
        await AssertVerifiesAsync($"?tree_size={size}&root={root}");
    }

    [Fact]
    public async Task ChangedEntryIsFoundAtItsIndex()
    {
        var (first, _) = await AppendAsync(6);
        var target = first + 3;
        var original = await ReadEntryAsync(target);
        await AssertEditIsFoundAsync(target, original.Entry.Replace("tamper-test", "tamper-TEST"), original.LeafHash);
    }

    [Fact]
    public async Task ChangedEntryWithARecomputedLeafHashIsStillFound()
    {
        var (first, _) = await AppendAsync(4);
        const string forged = "{\"forged\":true}";
        await AssertEditIsFoundAsync(first + 1, forged, MerkleProof.LeafHash(Encoding.UTF8.GetBytes(forged)));
    }

    /// <summary>Stores an edited entry at <paramref name="target"/>, expects the verifier to name that index, restores it and re-verifies.</summary>
    private async Task AssertEditIsFoundAsync(long target, string entry, byte[] leafHash)
    {
        var original = await ReadEntryAsync(target);
        await WriteEntryAsync(target, entry, leafHash);
        try
        {
            var report = await VerifyAsync();
            Assert.False(report.GetProperty("ok").GetBoolean());
            Assert.Equal(target, report.GetProperty("first_bad_index").GetInt64());
        }
        finally
        {
            await WriteEntryAsync(target, original.Entry, original.LeafHash);
        }
        await AssertVerifiesAsync();
    }

    [Fact]
    public async Task ChangedEntryWithItsSubtreeHashesRewrittenLooksConsistentButNotToASignedTreeHead()
    {
        var (first, _) = await AppendAsync(8);
        var target = first + 5;
        // A tree head handed out before the tamper: what an auditor or the anchor holds.
        var (size, signedRoot) = await SignedTreeHeadAsync();
        var original = await ReadEntryAsync(target);
        const string forged = "{\"forged\":\"consistently\",\"kind\":\"tamper-test\"}";
        var forgedLeaf = MerkleProof.LeafHash(Encoding.UTF8.GetBytes(forged));

        var rewritten = await RewriteSubtreesAsync(target, forgedLeaf);
        await WriteEntryAsync(target, forged, forgedLeaf);
        try
        {
            // Every stored node over the entry was recomputed: an O(log n) proof from the service checks out…
            var proof = await Proofs.GetFromJsonAsync<JsonElement>($"/api/log/proofs/inclusion?index={target}&tree_size={size}");
            var servedRoot = proof.GetProperty("root").GetString()!;
            Assert.Equal(forgedLeaf.ToHex(true), proof.GetProperty("leaf_hash").GetString());
            Assert.True(MerkleProof.VerifyInclusion(target, size, forgedLeaf,
                [.. proof.GetProperty("path").EnumerateArray().Select(p => p.GetString()!.HexToByteArray())], servedRoot.HexToByteArray()));
            // …but it leads to a root the signer never signed, and the verifier, given the signed head, says so.
            Assert.NotEqual(signedRoot, servedRoot, StringComparer.OrdinalIgnoreCase);
            var report = await VerifyAsync($"?tree_size={size}&root={signedRoot}");
            Assert.False(report.GetProperty("ok").GetBoolean(), report.ToString());
            Assert.Contains("trusted tree head", report.GetProperty("problem").GetString());
            // Offline too: the log today is not an extension of the signed head.
            var now = await Proofs.GetFromJsonAsync<JsonElement>($"/api/log/proofs/consistency?first={size}");
            Assert.False(MerkleProof.VerifyConsistency(size, now.GetProperty("second").GetInt64(), signedRoot.HexToByteArray(),
                now.GetProperty("second_root").GetString()!.HexToByteArray(),
                [.. now.GetProperty("proof").EnumerateArray().Select(p => p.GetString()!.HexToByteArray())]));
        }
        finally
        {
            await WriteEntryAsync(target, original.Entry, original.LeafHash);
            foreach (var (level, index, hash) in rewritten)
                await SqlAsync("UPDATE log_nodes SET Hash = @h WHERE Level = @l AND `Index` = @i", ("@h", hash), ("@l", level), ("@i", index));
        }
        await AssertVerifiesAsync();
        await AssertVerifiesAsync($"?tree_size={size}&root={signedRoot}");
    }

    /// <summary>
    /// Replaces the leaf node of <paramref name="target"/> and recomputes every stored perfect subtree above it, in one
    /// transaction; returns the original hashes of the nodes it changed.
    /// </summary>
    private async Task<List<(int Level, long Index, byte[] Hash)>> RewriteSubtreesAsync(long target, byte[] leaf)
    {
        await using var connection = await OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        async Task<byte[]?> NodeAsync(int level, long index)
        {
            await using var read = new MySqlCommand("SELECT Hash FROM log_nodes WHERE Level = @l AND `Index` = @i", connection, transaction);
            read.Parameters.AddWithValue("@l", level);
            read.Parameters.AddWithValue("@i", index);
            return await read.ExecuteScalarAsync() as byte[];
        }
        var originals = new List<(int, long, byte[])>();
        var hash = leaf;
        for (var level = 0; level < 63 && await NodeAsync(level, target >> level) is { } stored; level++)
        {
            var index = target >> level;
            if (level > 0)
            {
                var (left, right) = (await NodeAsync(level - 1, index * 2), await NodeAsync(level - 1, index * 2 + 1));
                hash = MerkleProof.NodeHash(left!, right!);
            }
            originals.Add((level, index, stored));
            await using var write = new MySqlCommand("UPDATE log_nodes SET Hash = @h WHERE Level = @l AND `Index` = @i", connection, transaction);
            write.Parameters.AddWithValue("@h", hash);
            write.Parameters.AddWithValue("@l", level);
            write.Parameters.AddWithValue("@i", index);
            Assert.Equal(1, await write.ExecuteNonQueryAsync());
        }
        await transaction.CommitAsync();
        Assert.True(originals.Count > 1, "the entry should sit under at least one stored subtree");
        return originals;
    }

    [Fact]
    public async Task DeletedEntryIsFoundAtItsIndex()
    {
        var (first, _) = await AppendAsync(5);
        var target = first + 2;
        var original = await ReadEntryAsync(target);
        await SqlAsync("DELETE FROM log_entries WHERE `Index` = @i", ("@i", target));
        try
        {
            var report = await VerifyAsync();
            Assert.False(report.GetProperty("ok").GetBoolean());
            Assert.Equal(target, report.GetProperty("first_bad_index").GetInt64());
        }
        finally
        {
            await SqlAsync("INSERT INTO log_entries (`Index`, Entry, LeafHash, TaskId, CreatedAt) VALUES (@i, @e, @h, @t, @c)",
                ("@i", original.Index), ("@e", original.Entry), ("@h", original.LeafHash), ("@t", original.TaskId), ("@c", original.CreatedAt));
        }
        await AssertVerifiesAsync();
    }

    [Fact]
    public async Task ReorderedEntriesAreFoundAtTheFirstMovedIndex()
    {
        var (first, _) = await AppendAsync(6);
        var (a, b) = (first + 1, first + 4);
        async Task SwapAsync()
        {
            await SqlAsync($"UPDATE log_entries SET `Index` = -1 WHERE `Index` = {a}");
            await SqlAsync($"UPDATE log_entries SET `Index` = {a} WHERE `Index` = {b}");
            await SqlAsync($"UPDATE log_entries SET `Index` = {b} WHERE `Index` = -1");
        }
        await SwapAsync();
        try
        {
            var report = await VerifyAsync();
            Assert.False(report.GetProperty("ok").GetBoolean());
            Assert.Equal(a, report.GetProperty("first_bad_index").GetInt64());
        }
        finally
        {
            await SwapAsync();
        }
        await AssertVerifiesAsync();
    }

    [Fact]
    public async Task InsertedEntryIsFoundAtItsIndex()
    {
        var (_, size) = await AppendAsync(3);
        await SqlAsync($"INSERT INTO log_entries (`Index`, Entry, LeafHash, CreatedAt) VALUES ({size}, '{{\"inserted\":true}}', UNHEX(SHA2(CONCAT(CHAR(0), '{{\"inserted\":true}}'), 256)), NOW())");
        try
        {
            var report = await VerifyAsync();
            Assert.False(report.GetProperty("ok").GetBoolean());
            Assert.Equal(size, report.GetProperty("first_bad_index").GetInt64());
        }
        finally
        {
            await SqlAsync($"DELETE FROM log_entries WHERE `Index` = {size}");
        }
        await AssertVerifiesAsync();
    }
}
