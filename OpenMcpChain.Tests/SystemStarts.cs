namespace OpenMcpChain.Tests;

/// <summary>
/// Whole systems start one at a time. On two cores, several AppHosts starting together (each a dozen processes, all of
/// them starting cold) can each miss their start deadline, and every test of a fixture fails with it. A start's own
/// deadline counts from its turn; the wait for the turn has a deadline of its own, so a start that hangs still fails.
/// </summary>
internal static class SystemStarts
{
    private static readonly SemaphoreSlim Turn = new(1, 1);
    private static readonly TimeSpan TurnDeadline = TimeSpan.FromMinutes(15);

    /// <summary>Waits for this start's turn; dispose the result once the system answers.</summary>
    public static async Task<IDisposable> TakeTurnAsync()
    {
        if (!await Turn.WaitAsync(TurnDeadline))
            throw new TimeoutException($"Waited {TurnDeadline.TotalMinutes:0} min for other systems to finish starting.");
        return new Release();
    }

    private sealed class Release : IDisposable
    {
        private int _released;
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) Turn.Release();
        }
    }
}
