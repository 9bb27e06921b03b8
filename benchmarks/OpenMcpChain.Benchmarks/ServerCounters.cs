using MySqlConnector;

namespace OpenMcpChain.Benchmarks;

/// <summary>
/// MariaDB's own counters, read before and after a piece of work: statements (<c>SHOW GLOBAL STATUS</c>), handler row
/// reads, and rows read per table of one schema (<c>information_schema.TABLE_STATISTICS</c>, with <c>userstat</c> on).
/// What the server did, counted by the server; the cost of reading the counters themselves is measured once and taken off.
/// </summary>
public sealed class ServerCounters : IAsyncDisposable
{
    private static readonly string[] StatusNames =
    [
        "Questions", "Com_select", "Com_insert", "Com_update", "Com_commit", "Innodb_data_fsyncs",
        "Handler_read_key", "Handler_read_next", "Handler_read_prev", "Handler_read_first", "Handler_read_last", "Handler_read_rnd", "Handler_read_rnd_next",
    ];
    private readonly MySqlConnection _connection;
    private readonly string _schema;
    private Dictionary<string, long> _overhead = [];

    private ServerCounters(MySqlConnection connection, string schema) => (_connection, _schema) = (connection, schema);

    /// <summary>Connects as the given (privileged) user, turns on per-table statistics and measures the counters' own footprint.</summary>
    public static async Task<ServerCounters> OpenAsync(string connectionString)
    {
        var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync();
        var counters = new ServerCounters(connection, connection.Database);
        await using (var on = new MySqlCommand("SET GLOBAL userstat = 1", connection)) await on.ExecuteNonQueryAsync();
        var (_, idle) = await counters.CountAsync(() => Task.FromResult(0));
        counters._overhead = idle;
        return counters;
    }

    /// <summary>Runs <paramref name="work"/> and returns what the server counted meanwhile (keys: status names and <c>rows:{table}</c>).</summary>
    public async Task<(T Result, Dictionary<string, long> Delta)> CountAsync<T>(Func<Task<T>> work)
    {
        var before = await SnapshotAsync();
        var result = await work();
        var after = await SnapshotAsync();
        return (result, after.ToDictionary(p => p.Key, p => p.Value - before.GetValueOrDefault(p.Key) - _overhead.GetValueOrDefault(p.Key)));
    }

    private async Task<Dictionary<string, long>> SnapshotAsync()
    {
        var values = new Dictionary<string, long>();
        var names = string.Join(",", StatusNames.Select(n => $"'{n}'"));
        await using (var status = new MySqlCommand($"SHOW GLOBAL STATUS WHERE Variable_name IN ({names}) OR Variable_name LIKE 'Com\\_%'", _connection))
        await using (var reader = await status.ExecuteReaderAsync())
            while (await reader.ReadAsync()) values[reader.GetString(0)] = long.Parse(reader.GetString(1));
        await using (var tables = new MySqlCommand("SELECT TABLE_NAME, ROWS_READ FROM information_schema.TABLE_STATISTICS WHERE TABLE_SCHEMA = @s", _connection))
        {
            tables.Parameters.AddWithValue("@s", _schema);
            await using var reader = await tables.ExecuteReaderAsync();
            while (await reader.ReadAsync()) values[$"rows:{reader.GetString(0)}"] = Convert.ToInt64(reader.GetValue(1));
        }
        return values;
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}

/// <summary>Server-counted reads per call: SELECT statements, rows read from the schema's tables, and InnoDB handler reads.</summary>
public sealed record Reads(double Selects, double Rows, double HandlerReads)
{
    public static Reads PerCall(Dictionary<string, long> delta, int calls) => new(
        delta.GetValueOrDefault("Com_select") / (double)calls,
        delta.Where(p => p.Key.StartsWith("rows:", StringComparison.Ordinal)).Sum(p => p.Value) / (double)calls,
        delta.Where(p => p.Key.StartsWith("Handler_read_", StringComparison.Ordinal)).Sum(p => p.Value) / (double)calls);
}
