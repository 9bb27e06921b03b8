namespace OpenMcpChain.Tests;

/// <summary>Reads server-sent events one at a time, each read bounded by a deadline so a silent server fails the test.</summary>
public sealed class EventStreamReader(Stream stream, TimeSpan readTimeout) : IDisposable
{
    private readonly StreamReader _reader = new(stream);

    /// <summary>One event: its <c>event:</c> name (<c>message</c> when absent), <c>id:</c> and joined <c>data:</c> lines.</summary>
    public sealed record ServerSentEvent(string Event, string? Id, string Data);

    /// <summary>The next event, or null when the server ended the stream; throws <see cref="TimeoutException"/> past the deadline.</summary>
    public async Task<ServerSentEvent?> NextAsync(CancellationToken ct)
    {
        string? name = null, id = null;
        var data = new List<string>();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(readTimeout);
        while (true)
        {
            string? line;
            try
            {
                line = await _reader.ReadLineAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException($"No complete server-sent event within {readTimeout.TotalSeconds} s.");
            }
            if (line is null) return data.Count > 0 || name is not null ? new(name ?? "message", id, string.Join('\n', data)) : null;
            if (line.Length == 0)
            {
                if (data.Count > 0 || name is not null) return new(name ?? "message", id, string.Join('\n', data));
                continue;
            }
            if (line.StartsWith(':')) continue; // a comment (keep-alive)
            var colon = line.IndexOf(':');
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..];
            if (value.StartsWith(' ')) value = value[1..];
            switch (field)
            {
                case "event": name = value; break;
                case "id": id = value; break;
                case "data": data.Add(value); break;
            }
        }
    }

    public void Dispose() => _reader.Dispose();
}
