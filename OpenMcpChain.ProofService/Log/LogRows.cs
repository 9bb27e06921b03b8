using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using OpenMcpChain.ProofService.Infrastructure;

namespace OpenMcpChain.ProofService.Log;

/// <summary>
/// What one sequencer batch writes: its entries from <paramref name="first"/> on, the perfect-subtree nodes they complete,
/// and the head's new size. They go out as multi-row INSERTs in one command — a round trip per batch rather than a
/// statement per row, and no entity tracked — in the transaction the caller opened.
/// </summary>
internal sealed class LogRows(long first)
{
    /// <summary>Characters of entry text per command, so that even escaped multi-byte text stays under MariaDB's 16 MiB packet.</summary>
    private const int MaxCommandChars = 1 << 20;

    public long First => first;
    public long Size => first + Entries.Count;
    public List<LogEntry> Entries { get; } = [];
    public List<(int Level, long Index, byte[] Hash)> Nodes { get; } = [];

    /// <summary>
    /// Writes the rows. With <paramref name="lockHead"/> the first statement locks the head row and the size it held is
    /// returned: the caller commits only if that is <see cref="First"/>, and otherwise nothing further was written.
    /// </summary>
    public async Task<long?> WriteAsync(ProofDbContext db, bool lockHead, DateTimeOffset now, CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
                          ?? throw new InvalidOperationException("Log rows are written inside the batch's transaction.");
        long? locked = null;
        var commands = Commands(lockHead, now);
        for (var c = 0; c < commands.Count; c++)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = commands[c].Sql;
            foreach (var (name, value) in commands[c].Parameters)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                parameter.Value = value ?? DBNull.Value;
                command.Parameters.Add(parameter);
            }
            await using var reader = await command.ExecuteReaderAsync(ct);
            if (c == 0 && lockHead)
            {
                locked = await reader.ReadAsync(ct) ? reader.GetInt64(0) : throw new InvalidOperationException("The log head row is missing.");
            }
            while (await reader.NextResultAsync(ct)) { } // each statement's error surfaces here
            if (locked is { } size && size != first) return size;
        }
        return locked;
    }

    private List<(string Sql, List<(string Name, object? Value)> Parameters)> Commands(bool lockHead, DateTimeOffset now)
    {
        var commands = new List<(string, List<(string, object?)>)>();
        var sql = new StringBuilder();
        var parameters = new List<(string, object?)> { ("@now", now.UtcDateTime) };
        if (lockHead) sql.Append("SELECT Size FROM log_head WHERE Id = ").Append(LogHead.RowId).Append(" FOR UPDATE;\n");
        var open = false;
        for (var i = 0; i < Entries.Count; i++)
        {
            var entry = Entries[i];
            if (open && sql.Length + entry.Entry.Length > MaxCommandChars)
            {
                commands.Add((sql.Append(";\n").ToString(), parameters));
                (sql, parameters, open) = (new StringBuilder(), [("@now", now.UtcDateTime)], false);
            }
            // Numbers and hashes are ours, written as literals; the entry text and task id are the caller's, so parameters.
            sql.Append(open ? "," : "INSERT INTO log_entries (`Index`, Entry, LeafHash, TaskId, CreatedAt) VALUES ")
                .Append('(').Append(entry.Index).Append(",@e").Append(i).Append(",X'").Append(Convert.ToHexString(entry.LeafHash)).Append("',");
            parameters.Add(($"@e{i}", entry.Entry));
            if (entry.TaskId is null) sql.Append("NULL");
            else
            {
                sql.Append("@t").Append(i);
                parameters.Add(($"@t{i}", entry.TaskId));
            }
            sql.Append(",@now)");
            open = true;
        }
        if (open) sql.Append(";\n");
        for (var i = 0; i < Nodes.Count; i++)
        {
            var (level, index, hash) = Nodes[i];
            sql.Append(i == 0 ? "INSERT INTO log_nodes (Level, `Index`, Hash) VALUES " : ",")
                .Append('(').Append(level).Append(',').Append(index).Append(",X'").Append(Convert.ToHexString(hash)).Append("')");
        }
        if (Nodes.Count > 0) sql.Append(";\n");
        sql.Append("UPDATE log_head SET Size = ").Append(Size).Append(" WHERE Id = ").Append(LogHead.RowId).Append(';');
        commands.Add((sql.ToString(), parameters));
        return commands;
    }
}
