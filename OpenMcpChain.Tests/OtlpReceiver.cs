using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace OpenMcpChain.Tests;

/// <summary>One span as an OTLP exporter sent it: which service, which trace, when, and its attributes.</summary>
public sealed record ReceivedSpan(string Service, string TraceId, string SpanId, string? ParentSpanId, string Name, DateTimeOffset Start,
    IReadOnlyDictionary<string, string> Attributes)
{
    public DateTimeOffset End { get; init; } = Start;
}

/// <summary>
/// An OTLP/HTTP trace receiver in the test process: the services export to it (protobuf from .NET, JSON from llm-bridge)
/// as they would to the dashboard. It reads just the fields the tests look at (service name, ids, name, start, attributes).
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private readonly bool _keep;

    /// <param name="keepSpans">False: every export is read and answered but its spans are not kept — a sink standing where
    /// the dashboard or a collector would, so the services pay for exporting as they do when deployed.</param>
    public OtlpReceiver(bool keepSpans = true)
    {
        _keep = keepSpans;
        Endpoint = $"http://127.0.0.1:{Ports.Free()}";
        _listener.Prefixes.Add(Endpoint + "/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public string Endpoint { get; }
    public ConcurrentQueue<ReceivedSpan> Spans { get; } = new();

    /// <summary>
    /// Points every resource of <paramref name="builder"/> that exports telemetry at this receiver (before it builds); with
    /// <paramref name="promptly"/>, spans are sent every half second instead of at the exporters' usual delay, so a test need not wait for them.
    /// </summary>
    public void ReceiveFrom(IDistributedApplicationTestingBuilder builder) => ReceiveFrom(builder, promptly: true);

    public void ReceiveFrom(IDistributedApplicationTestingBuilder builder, bool promptly)
    {
        foreach (var resource in builder.Resources.OfType<IResourceWithEnvironment>().Where(r => r.Annotations.OfType<OtlpExporterAnnotation>().Any()))
        {
            builder.CreateResourceBuilder(resource).WithEnvironment(env =>
            {
                env.EnvironmentVariables["OTEL_EXPORTER_OTLP_ENDPOINT"] = Endpoint;
                env.EnvironmentVariables["OTEL_EXPORTER_OTLP_PROTOCOL"] = resource.Name == "llm-bridge" ? "http/json" : "http/protobuf";
                env.EnvironmentVariables["OTEL_EXPORTER_OTLP_HEADERS"] = "";
                if (promptly) env.EnvironmentVariables["OTEL_BSP_SCHEDULE_DELAY"] = "500";
            });
        }
    }

    /// <summary>Export requests answered, and what went wrong with any that could not be read (shown when a wait fails).</summary>
    public string Summary()
    {
        var byService = Spans.GroupBy(s => s.Service).Select(g => $"{g.Key}: {g.Count()}");
        var errors = Errors.IsEmpty ? "none" : string.Join("; ", Errors.Take(5));
        return $"{Volatile.Read(ref _requests)} export requests, spans by service {{{string.Join(", ", byService)}}}, receiver errors: {errors}";
    }

    public ConcurrentQueue<string> Errors { get; } = new();
    private int _requests;

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            // Each request on its own: one slow or broken export must not hold up (or end) the others', whose exporters
            // would time out and drop their batches.
            _ = Task.Run(() => ReceiveAsync(context));
        }
    }

    private async Task ReceiveAsync(HttpListenerContext context)
    {
        Interlocked.Increment(ref _requests);
        var status = 200;
        try
        {
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            if (_keep && context.Request.Url!.AbsolutePath.EndsWith("/v1/traces", StringComparison.Ordinal))
            {
                var spans = context.Request.ContentType?.StartsWith("application/json", StringComparison.Ordinal) == true
                    ? FromJson(body.ToArray()).ToList() : FromProtobuf(body.ToArray());
                foreach (var span in spans) Spans.Enqueue(span);
            }
        }
        catch (Exception e)
        {
            Errors.Enqueue($"{context.Request.Url?.AbsolutePath}: {e.GetType().Name}: {e.Message}");
            status = 400;
        }
        try
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = context.Request.ContentType;
            context.Response.Close();
        }
        catch (Exception e)
        {
            Errors.Enqueue($"answering {context.Request.Url?.AbsolutePath}: {e.Message}");
        }
    }

    private static IEnumerable<ReceivedSpan> FromJson(byte[] data)
    {
        using var doc = JsonDocument.Parse(data);
        foreach (var resource in doc.RootElement.GetProperty("resourceSpans").EnumerateArray())
        {
            var service = Attributes(resource.GetProperty("resource").GetProperty("attributes")).GetValueOrDefault("service.name", "");
            foreach (var scope in resource.GetProperty("scopeSpans").EnumerateArray())
            foreach (var s in scope.GetProperty("spans").EnumerateArray())
            {
                yield return new ReceivedSpan(service, s.GetProperty("traceId").GetString()!, s.GetProperty("spanId").GetString()!,
                    s.TryGetProperty("parentSpanId", out var p) ? p.GetString() : null, s.GetProperty("name").GetString()!,
                    FromUnixNanos(ulong.Parse(s.GetProperty("startTimeUnixNano").GetString()!)),
                    s.TryGetProperty("attributes", out var a) ? Attributes(a) : new Dictionary<string, string>())
                {
                    End = FromUnixNanos(ulong.Parse(s.GetProperty("endTimeUnixNano").GetString()!)),
                };
            }
        }
    }

    private static Dictionary<string, string> Attributes(JsonElement list) => list.EnumerateArray().ToDictionary(
        a => a.GetProperty("key").GetString()!,
        a => a.GetProperty("value").EnumerateObject().FirstOrDefault() is { Value: var v } ? v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText() : "");

    // ExportTraceServiceRequest: 1 resource_spans { 1 resource { 1 attributes }, 2 scope_spans { 2 spans } }.
    private static List<ReceivedSpan> FromProtobuf(byte[] data)
    {
        var spans = new List<ReceivedSpan>();
        foreach (var (_, resourceSpans) in Fields(data).Where(f => f.Number == 1))
        {
            var fields = Fields(resourceSpans).ToList();
            var resource = fields.Where(f => f.Number == 1).Select(f => f.Value).FirstOrDefault() ?? [];
            var service = KeyValues(Fields(resource).Where(f => f.Number == 1).Select(f => f.Value)).GetValueOrDefault("service.name", "");
            foreach (var (_, scope) in fields.Where(f => f.Number == 2))
            foreach (var (_, span) in Fields(scope).Where(f => f.Number == 2))
            {
                var s = Fields(span).ToList();
                byte[]? Field(int n) => s.Where(f => f.Number == n).Select(f => f.Value).FirstOrDefault();
                var parent = Field(4);
                spans.Add(new ReceivedSpan(service, Convert.ToHexStringLower(Field(1)!), Convert.ToHexStringLower(Field(2)!),
                    parent is { Length: > 0 } ? Convert.ToHexStringLower(parent) : null, Encoding.UTF8.GetString(Field(5) ?? []),
                    FromUnixNanos(BitConverter.ToUInt64(Field(7) ?? new byte[8])), KeyValues(s.Where(f => f.Number == 9).Select(f => f.Value)))
                {
                    End = FromUnixNanos(BitConverter.ToUInt64(Field(8) ?? new byte[8])),
                });
            }
        }
        return spans;
    }

    private static DateTimeOffset FromUnixNanos(ulong nanos) => DateTimeOffset.UnixEpoch.AddTicks((long)(nanos / 100));

    /// <summary>KeyValue { 1 key, 2 AnyValue { 1 string, 2 bool, 3 int64, 4 double } }, each value as text.</summary>
    private static Dictionary<string, string> KeyValues(IEnumerable<byte[]> pairs)
    {
        var result = new Dictionary<string, string>();
        foreach (var pair in pairs)
        {
            var kv = Fields(pair).ToList();
            var key = Encoding.UTF8.GetString(kv.First(f => f.Number == 1).Value);
            var value = kv.Where(f => f.Number == 2).Select(f => f.Value).FirstOrDefault() ?? [];
            result[key] = Fields(value).FirstOrDefault() is var (n, v) && v is not null
                ? n switch
                {
                    1 => Encoding.UTF8.GetString(v),
                    2 => (v[0] != 0).ToString(),
                    3 => ((long)Varint(v, 0).Value).ToString(),
                    4 => BitConverter.ToDouble(v).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    _ => "",
                }
                : "";
        }
        return result;
    }

    /// <summary>The fields of a protobuf message: length-delimited ones as their bytes, varints as their encoding, fixed as little-endian bytes.</summary>
    private static IEnumerable<(int Number, byte[] Value)> Fields(byte[] message)
    {
        var i = 0;
        while (i < message.Length)
        {
            var (tag, next) = Varint(message, i);
            i = next;
            var (number, wire) = ((int)(tag >> 3), (int)(tag & 7));
            switch (wire)
            {
                case 0:
                    var start = i;
                    (_, i) = Varint(message, i);
                    yield return (number, message[start..i]);
                    break;
                case 1:
                    yield return (number, message[i..(i + 8)]);
                    i += 8;
                    break;
                case 2:
                    var (length, at) = Varint(message, i);
                    yield return (number, message[at..(at + (int)length)]);
                    i = at + (int)length;
                    break;
                case 5:
                    yield return (number, message[i..(i + 4)]);
                    i += 4;
                    break;
                default:
                    throw new InvalidDataException($"Unexpected protobuf wire type {wire}.");
            }
        }
    }

    private static (ulong Value, int Next) Varint(byte[] data, int i)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = data[i++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return (value, i);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
