using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using MySqlConnector;

namespace OpenMcpChain.ServiceDefaults;

/// <summary>
/// Rides out a restart of the database server: a query or SaveChanges that meets a transient failure (the server not
/// answering, a connection it dropped) is retried for about half a minute. A statement inside a transaction its
/// caller opened is not retried on its own, since the transaction died with its connection: such a caller runs the
/// whole transaction under <c>Database.CreateExecutionStrategy()</c>, or handles the failure itself.
/// </summary>
public sealed class MySqlRetryStrategy(ExecutionStrategyDependencies dependencies)
    : MySqlRetryingExecutionStrategy(dependencies, MaxRetries, MaxDelay, errorNumbersToAdd: null)
{
    // Delays of about 1, 3, 5, 5, … seconds: 8 retries span some 35 s.
    private const int MaxRetries = 8;
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);

    private bool InCallersTransaction => Dependencies.CurrentContext.Context.Database.CurrentTransaction is not null;

    /// <summary>Also a connection the server dropped mid-command (it was killed): the next attempt opens a fresh one.</summary>
    protected override bool ShouldRetryOn(Exception exception) =>
        base.ShouldRetryOn(exception)
        || exception is MySqlException { InnerException: MySqlEndOfStreamException or IOException or SocketException };

    /// <summary>
    /// Whether <paramref name="exception"/>, or any exception it wraps, says the database was away: the driver's own
    /// (including the InvalidOperationException it throws for a transaction that died with its connection), a dropped
    /// stream, or retries exhausted. EF wraps these in its own exceptions, one or two levels deep.
    /// </summary>
    public static bool IsDatabaseAway(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is MySqlException or MySqlEndOfStreamException or RetryLimitExceededException
                || e.TargetSite?.DeclaringType?.Assembly == typeof(MySqlConnection).Assembly)
                return true;
            if (e is AggregateException aggregate && aggregate.InnerExceptions.Any(IsDatabaseAway)) return true;
        }
        return false;
    }

    public override TResult Execute<TState, TResult>(
        TState state, Func<DbContext, TState, TResult> operation, Func<DbContext, TState, ExecutionResult<TResult>>? verifySucceeded) =>
        InCallersTransaction ? operation(Dependencies.CurrentContext.Context, state) : base.Execute(state, operation, verifySucceeded);

    public override Task<TResult> ExecuteAsync<TState, TResult>(
        TState state, Func<DbContext, TState, CancellationToken, Task<TResult>> operation,
        Func<DbContext, TState, CancellationToken, Task<ExecutionResult<TResult>>>? verifySucceeded, CancellationToken cancellationToken = default) =>
        InCallersTransaction
            ? operation(Dependencies.CurrentContext.Context, state, cancellationToken)
            : base.ExecuteAsync(state, operation, verifySucceeded, cancellationToken);
}
