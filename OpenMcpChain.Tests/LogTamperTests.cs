using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.Testing;
using MySqlConnector;

namespace OpenMcpChain.Tests;

/// <summary>Rows of the log changed, deleted, inserted and reordered directly in MariaDB: the verifier names the first bad index.</summary>
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

    private async Task<JsonElement> VerifyAsync() => await Proofs.GetFromJsonAsync<JsonElement>("/api/log/verify");

    private async Task<int> SqlAsync(string sql)
    {
        await using var connection = new MySqlConnection(await system.App.GetConnectionStringAsync("proofdb"));
        await connection.OpenAsync();
        await using var command = new MySqlCommand(sql, connection);
        return await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task AnUntouchedLogVerifies()
    {
        await AppendAsync(5);
        var report = await VerifyAsync();
        Assert.True(report.GetProperty("ok").GetBoolean(), report.ToString());
    }

    [Fact]
    public async Task ChangedEntryIsFoundAtItsIndex()
    {
        var (first, _) = await AppendAsync(6);
        var target = first + 3;
        await SqlAsync($"UPDATE log_entries SET Entry = REPLACE(Entry, 'tamper-test', 'tamper-TEST') WHERE `Index` = {target}");
        try
        {
            var report = await VerifyAsync();
            Assert.False(report.GetProperty("ok").GetBoolean());
            Assert.Equal(target, report.GetProperty("first_bad_index").GetInt64());
        }
        finally
        {
            await SqlAsync($"UPDATE log_entries SET Entry = REPLACE(Entry, 'tamper-TEST', 'tamper-test') WHERE `Index` = {target}");
        }
        Assert.True((await VerifyAsync()).GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task ChangedEntryWithARecomputedLeafHashIsStillFound()
    {
        var (first, _) = await AppendAsync(4);
        var target = first + 1;
        await SqlAsync($"CREATE TABLE IF NOT EXISTS tamper_backup AS SELECT * FROM log_entries WHERE `Index` = {target}");
        await SqlAsync($"UPDATE log_entries SET Entry = '{{\"forged\":true}}', LeafHash = UNHEX(SHA2(CONCAT(CHAR(0), '{{\"forged\":true}}'), 256)) WHERE `Index` = {target}");
        try
        {
            var report = await VerifyAsync();
            Assert.False(report.GetProperty("ok").GetBoolean());
            Assert.Equal(target, report.GetProperty("first_bad_index").GetInt64());
        }
        finally
        {
            await SqlAsync($"UPDATE log_entries l JOIN tamper_backup b ON b.`Index` = l.`Index` SET l.Entry = b.Entry, l.LeafHash = b.LeafHash");
            await SqlAsync("DROP TABLE tamper_backup");
        }
    }

    [Fact]
    public async Task DeletedEntryIsFoundAtItsIndex()
    {
        var (first, _) = await AppendAsync(5);
        var target = first + 2;
        await SqlAsync($"CREATE TABLE tamper_deleted AS SELECT * FROM log_entries WHERE `Index` = {target}");
        await SqlAsync($"DELETE FROM log_entries WHERE `Index` = {target}");
        try
        {
            var report = await VerifyAsync();
            Assert.False(report.GetProperty("ok").GetBoolean());
            Assert.Equal(target, report.GetProperty("first_bad_index").GetInt64());
        }
        finally
        {
            await SqlAsync("INSERT INTO log_entries SELECT * FROM tamper_deleted");
            await SqlAsync("DROP TABLE tamper_deleted");
        }
    }

    [Fact]
    public async Task ReorderedEntriesAreFoundAtTheFirstMovedIndex()
    {
        var (first, _) = await AppendAsync(6);
        var (a, b) = (first + 1, first + 4);
        await SqlAsync($"UPDATE log_entries SET `Index` = -1 WHERE `Index` = {a}");
        await SqlAsync($"UPDATE log_entries SET `Index` = {a} WHERE `Index` = {b}");
        await SqlAsync($"UPDATE log_entries SET `Index` = {b} WHERE `Index` = -1");
        try
        {
            var report = await VerifyAsync();
            Assert.False(report.GetProperty("ok").GetBoolean());
            Assert.Equal(a, report.GetProperty("first_bad_index").GetInt64());
        }
        finally
        {
            await SqlAsync($"UPDATE log_entries SET `Index` = -1 WHERE `Index` = {a}");
            await SqlAsync($"UPDATE log_entries SET `Index` = {a} WHERE `Index` = {b}");
            await SqlAsync($"UPDATE log_entries SET `Index` = {b} WHERE `Index` = -1");
        }
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
    }
}
