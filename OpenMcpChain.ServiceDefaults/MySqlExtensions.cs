using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Trace;

namespace OpenMcpChain.ServiceDefaults;

/// <summary>Registers a service's own MySQL database: EF Core (Pomelo), its health check and the migrator.</summary>
public static class MySqlExtensions
{
    /// <summary>Every environment runs MariaDB 10.11 (executables and containers alike), so the dialect is fixed, not probed.</summary>
    public static readonly ServerVersion ServerVersion = new MariaDbServerVersion(new Version(10, 11));

    public static void AddMySqlDbContext<TContext>(this IHostApplicationBuilder builder, string connectionName)
        where TContext : DbContext
    {
        var connectionString = builder.Configuration.GetConnectionString(connectionName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{connectionName} is not set.");
        builder.Services.AddDbContextPool<TContext>(o => o.UseMySql(connectionString, ServerVersion,
            mysql => mysql.ExecutionStrategy(dependencies => new MySqlRetryStrategy(dependencies))));
        builder.Services.AddSingleton<Migrator<TContext>>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Migrator<TContext>>());
        builder.Services.AddHealthChecks()
            .AddCheck<Migrator<TContext>>($"{connectionName}-migrations")
            .AddDbContextCheck<TContext>($"{connectionName}-db");
        builder.Services.AddOpenTelemetry().WithTracing(t => t.AddSource("MySqlConnector"));
    }
}

/// <summary>Applies pending migrations before the service serves, and reports unready until it has.</summary>
public sealed class Migrator<TContext>(IServiceProvider services, ILogger<Migrator<TContext>> logger) : IHostedService, IHealthCheck
    where TContext : DbContext
{
    private volatile bool _done;

    public async Task StartAsync(CancellationToken ct)
    {
        // The database server may still be starting when an existing server is used: retry for a while.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var scope = services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<TContext>();
                await db.Database.MigrateAsync(ct);
                _done = true;
                logger.LogInformation("Database of {Context} is migrated", typeof(TContext).Name);
                return;
            }
            catch (Exception e) when (attempt < 30 && !ct.IsCancellationRequested && e is not InvalidOperationException)
            {
                logger.LogWarning("Migrating {Context} failed (attempt {Attempt}): {Reason}", typeof(TContext).Name, attempt, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), ct);
            }
        }
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default) =>
        Task.FromResult(_done ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("Migrations are not applied yet."));
}

/// <summary>Lets <c>dotnet ef</c> build a context without a running server.</summary>
public abstract class DesignTimeFactory<TContext> : IDesignTimeDbContextFactory<TContext> where TContext : DbContext
{
    public TContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<TContext>()
            .UseMySql("Server=127.0.0.1;Database=design;User ID=root;Password=design", MySqlExtensions.ServerVersion)
            .Options;
        return (TContext)Activator.CreateInstance(typeof(TContext), options)!;
    }
}
