using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>A pass repeated at a fixed interval (first pass at start). A failed pass — a timeout included — is logged and the next one runs.</summary>
public abstract class PeriodicWorker(TimeSpan interval, ILogger logger) : BackgroundService
{
    protected abstract Task RunOnceAsync(CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval);
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "{Worker} pass failed: {Reason}", GetType().Name, e.Message);
            }
        }
        while (await NextTickAsync(timer, stoppingToken));
    }

    private static async Task<bool> NextTickAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
