using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace OpenMcpChain.ServiceDefaults;

/// <summary>
/// Work that must run in one replica at a time, guarded by a MariaDB named lock (<c>GET_LOCK</c>) on the context's
/// connection. The server releases it when the work ends, or when the holder's connection or process dies, so a
/// crashed holder never blocks the others.
/// </summary>
public static class DatabaseLocks
{
    /// <summary>
    /// Runs <paramref name="work"/> while holding <paramref name="name"/> (per database); returns false at once, without
    /// running it, when another connection holds the lock.
    /// </summary>
    public static async Task<bool> RunExclusiveAsync(this DbContext db, string name, Func<Task> work, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            var connection = db.Database.GetDbConnection();
            // Lock names are server-wide: the database name keeps each service's locks its own.
            var lockName = $"{connection.Database}:{name}";
            var taken = await ScalarAsync(connection, "SELECT GET_LOCK(@name, 0)", lockName, ct);
            if (taken is null or DBNull || Convert.ToInt64(taken) != 1) return false;
            try
            {
                await work();
                return true;
            }
            finally
            {
                await ReleaseAsync(connection, lockName);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static async Task ReleaseAsync(DbConnection connection, string lockName)
    {
        try
        {
            await ScalarAsync(connection, "SELECT RELEASE_LOCK(@name)", lockName, CancellationToken.None);
        }
        catch (DbException)
        {
            // The connection is gone, and the server released the lock with it.
        }
    }

    private static async Task<object?> ScalarAsync(DbConnection connection, string sql, string lockName, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@name";
        parameter.Value = lockName;
        command.Parameters.Add(parameter);
        return await command.ExecuteScalarAsync(ct);
    }
}
