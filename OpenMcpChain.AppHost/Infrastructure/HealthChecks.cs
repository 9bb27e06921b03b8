using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using MySqlConnector;

namespace OpenMcpChain.AppHost;

/// <summary>Readiness probes for resources that have no HTTP health endpoint: ready means it answers, not that it started.</summary>
internal static class ReadinessChecks
{
    public static IResourceBuilder<T> WithReadinessCheck<T>(this IResourceBuilder<T> resource, Func<CancellationToken, Task> probe)
        where T : IResource
    {
        var key = $"{resource.Resource.Name}_ready";
        resource.ApplicationBuilder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            key, _ => new ProbeHealthCheck(probe), HealthStatus.Unhealthy, tags: null, timeout: TimeSpan.FromSeconds(5)));
        return resource.WithHealthCheck(key);
    }

    public static async Task MySqlAsync(IResourceWithConnectionString server, CancellationToken ct)
    {
        var connectionString = await server.ConnectionStringExpression.GetValueAsync(ct);
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new MySqlCommand("SELECT 1", connection);
        await command.ExecuteScalarAsync(ct);
    }

    /// <summary>The database exists and holds EF Core's migration history (its service has migrated it).</summary>
    public static async Task MigratedDatabaseAsync(MySqlDatabaseResource database, CancellationToken ct)
    {
        await using var connection = new MySqlConnection(await database.Parent.ConnectionStringExpression.GetValueAsync(ct));
        await connection.OpenAsync(ct);
        await using var command = new MySqlCommand(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = @db AND table_name = '__EFMigrationsHistory'", connection);
        command.Parameters.AddWithValue("@db", database.Name);
        if (Convert.ToInt64(await command.ExecuteScalarAsync(ct)) == 0)
            throw new InvalidOperationException($"Database {database.Name} has no migrations applied yet.");
        command.CommandText = $"SELECT MigrationId FROM `{database.Name}`.`__EFMigrationsHistory` ORDER BY MigrationId DESC LIMIT 1";
        if (await command.ExecuteScalarAsync(ct) is null or DBNull)
            throw new InvalidOperationException($"Database {database.Name} has no migrations applied yet.");
    }

    public static async Task RedisAsync(EndpointReference endpoint, CancellationToken ct)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(endpoint.Host, endpoint.Port, ct);
        var stream = client.GetStream();
        await stream.WriteAsync("PING\r\n"u8.ToArray(), ct);
        var buffer = new byte[16];
        var read = await stream.ReadAsync(buffer, ct);
        var reply = Encoding.ASCII.GetString(buffer, 0, read);
        if (!reply.StartsWith("+PONG", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Redis answered '{reply.Trim()}' to PING.");
        }
    }

    public static async Task JsonRpcAsync(EndpointReference endpoint, CancellationToken ct)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsJsonAsync(endpoint.Url,
            new { jsonrpc = "2.0", id = 1, method = "eth_chainId", @params = Array.Empty<object>() }, ct);
        response.EnsureSuccessStatusCode();
    }

    private sealed class ProbeHealthCheck(Func<CancellationToken, Task> probe) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
        {
            try
            {
                await probe(ct);
                return HealthCheckResult.Healthy();
            }
            catch (Exception e)
            {
                return HealthCheckResult.Unhealthy(e.Message);
            }
        }
    }
}
