using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Resilience that fits one client's calls, in place of the defaults <c>AddServiceDefaults</c> gives every client (10 s an
/// attempt, 30 s in all, any method retried on any transient failure): those suit short reads, not a model that thinks for
/// a minute or a write that waits for its receipt. Each is the standard handler of Microsoft.Extensions.Http.Resilience
/// with its own options; the HttpClient's own 100 s timeout is lifted so that the pipeline's timeouts are the ones that hold.
/// </summary>
public static class HttpClientResilience
{
    /// <summary>
    /// Calls to a language model: a long attempt timeout; asked again only when the request cannot have reached the
    /// provider (no connection) or the provider said to (429/503, after its <c>Retry-After</c>), with exponential backoff.
    /// A POST cut by its attempt timeout is never asked again: the provider may have billed it.
    /// </summary>
    public static IHttpClientBuilder AddModelCallResilience(this IHttpClientBuilder http, Func<IServiceProvider, (TimeSpan AttemptTimeout, int Retries)> settings) =>
        http.AddResilience((o, sp) =>
        {
            var (attempt, retries) = settings(sp);
            o.AttemptTimeout.Timeout = attempt;
            // Polly asks for at least one retry; no retries at all is a retry that handles nothing.
            o.Retry.MaxRetryAttempts = Math.Max(retries, 1);
            o.Retry.BackoffType = DelayBackoffType.Exponential;
            o.Retry.Delay = TimeSpan.FromSeconds(2);
            o.Retry.ShouldRetryAfterHeader = true;
            o.Retry.ShouldHandle = args => ValueTask.FromResult(retries > 0 && IsModelRetryable(args.Outcome));
            return retries;
        });

    /// <summary>
    /// Calls that may wait long and are safe to ask again (a write with an idempotency key: a repeat returns the first
    /// result): a long attempt timeout, and the standard retries of transient failures, timeouts included.
    /// </summary>
    public static IHttpClientBuilder AddLongCallResilience(this IHttpClientBuilder http, Func<IServiceProvider, TimeSpan> attemptTimeout) =>
        http.AddResilience((o, sp) =>
        {
            o.AttemptTimeout.Timeout = attemptTimeout(sp);
            return o.Retry.MaxRetryAttempts;
        });

    /// <summary>429 and 503 (the provider asks for a later try), or a connection that never carried the request.</summary>
    internal static bool IsModelRetryable(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Result.StatusCode: HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable } => true,
        { Exception: HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError } } => true,
        _ => false,
    };

    /// <summary>
    /// Replaces the default handler with a standard one configured by <paramref name="configure"/> (which returns the
    /// number of retries); the total timeout and the circuit breaker's window follow from the attempt timeout.
    /// </summary>
    private static IHttpClientBuilder AddResilience(this IHttpClientBuilder http, Func<HttpStandardResilienceOptions, IServiceProvider, int> configure)
    {
        // The package's own way to replace the handler the defaults added (still marked experimental, EXTEXP0001).
#pragma warning disable EXTEXP0001
        http.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        http.ConfigureHttpClient(c => c.Timeout = Timeout.InfiniteTimeSpan);
        http.AddStandardResilienceHandler().Configure((o, sp) =>
        {
            var retries = configure(o, sp);
            var attempt = o.AttemptTimeout.Timeout;
            // Every attempt, the waits between them (a Retry-After may ask for a minute), and a margin.
            o.TotalRequestTimeout.Timeout = attempt * (retries + 1) + TimeSpan.FromMinutes(2);
            o.CircuitBreaker.SamplingDuration = attempt * 2; // the options' own rule: at least twice the attempt timeout
        });
        return http;
    }
}
