using System.Net;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Gateway.Grpc;

/// <summary>
/// How each gRPC call is answered: as the same call on the Gateway's own REST API, with the caller's bearer token. So a
/// gRPC call meets exactly the REST route's token validation, scope policy, per-caller rate limit, forwarding and
/// error codes, and the services behind stay as they are.
/// </summary>
public sealed class RestBridge(GrpcEndpoint.RestTarget target)
{
    /// <summary>One connection pool for all calls; no resilience handler (a retried POST could submit twice) and no timeout (streams last).</summary>
    private static readonly HttpClient Http = new(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1) })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>
    /// Names the gRPC caller's address on the REST call (which comes from loopback), so that a caller without a token is
    /// rate limited by its own address (<see cref="CallerAddress"/>). The value leads with a key this process made at
    /// start, so only this bridge can name an address; the Gateway forwards the header to no service.
    /// </summary>
    public const string CallerAddressHeader = "X-Grpc-Caller-Address";

    private static readonly string Key = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));

    /// <summary>The gRPC caller's address a bridged REST call names; null on any other request.</summary>
    public static IPAddress? CallerAddress(HttpContext context) =>
        context.Request.Headers[CallerAddressHeader].ToString().Split(' ') is [var key, var address]
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(key), Encoding.ASCII.GetBytes(Key))
        && IPAddress.TryParse(address, out var ip) ? ip : null;

    public async Task<JsonElement> GetAsync(ServerCallContext context, string path) =>
        await SendAsync(context, HttpMethod.Get, path, null);

    public async Task<JsonElement> SendAsync(ServerCallContext context, HttpMethod method, string path, object? body,
        IEnumerable<(string Name, string Value)>? headers = null)
    {
        using var request = Request(context, method, path, headers);
        if (body is not null)
            request.Content = new StringContent(JsonSerializer.Serialize(body, OpenMcpChainJson.Options), Encoding.UTF8, "application/json");
        using var response = await Send(request, HttpCompletionOption.ResponseContentRead, context.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(context.CancellationToken);
        if (!response.IsSuccessStatusCode) throw Error((int)response.StatusCode, text);
        return Parse(text);
    }

    /// <summary>A REST server-sent event stream, event by event (its id and its JSON), from after <paramref name="lastEventId"/>.</summary>
    public async IAsyncEnumerable<(string? EventId, JsonElement Data)> StreamAsync(ServerCallContext context, string path, string? lastEventId,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        using var request = Request(context, HttpMethod.Get, path, lastEventId is { Length: > 0 } ? [("Last-Event-ID", lastEventId)] : null);
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var response = await Send(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode) throw Error((int)response.StatusCode, await response.Content.ReadAsStringAsync(ct));
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        await foreach (var item in SseParser.Create(body).EnumerateAsync(ct)) yield return (item.EventId, Parse(item.Data));
    }

    /// <summary>A REST answer's JSON; anything else is the API's fault, INTERNAL (not an unhandled UNKNOWN).</summary>
    private static JsonElement Parse(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw GrpcErrors.Exception(StatusCodes.Status500InternalServerError, ErrorCodes.Internal, "The REST API answered with no JSON.");
        }
    }

    private HttpRequestMessage Request(ServerCallContext context, HttpMethod method, string path, IEnumerable<(string Name, string Value)>? headers)
    {
        var request = new HttpRequestMessage(method, new Uri(target.BaseAddress, path));
        if (context.RequestHeaders.GetValue("authorization") is { Length: > 0 } authorization)
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        if (context.GetHttpContext().Connection.RemoteIpAddress is { } address)
            request.Headers.TryAddWithoutValidation(CallerAddressHeader, $"{Key} {address}");
        foreach (var (name, value) in headers ?? []) request.Headers.TryAddWithoutValidation(name, value);
        return request;
    }

    private static async Task<HttpResponseMessage> Send(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken ct)
    {
        try
        {
            return await Http.SendAsync(request, completion, ct);
        }
        catch (HttpRequestException e)
        {
            throw GrpcErrors.Exception(503, ErrorCodes.Unavailable, $"The REST API did not answer: {e.Message}");
        }
    }

    private static RpcException Error(int status, string body)
    {
        ApiError? error = null;
        try
        {
            error = JsonSerializer.Deserialize<ApiError>(body, OpenMcpChainJson.Options);
        }
        catch (JsonException)
        {
        }
        return GrpcErrors.Exception(status, error?.Code ?? ApiErrors.CodeFor(status), error?.Message ?? $"HTTP {status}");
    }

    /// <summary>A path segment or query value as the URL carries it.</summary>
    public static string Escape(string value) => Uri.EscapeDataString(value);

    /// <summary>A required id: empty is INVALID_ARGUMENT here, not a REST route that lists instead.</summary>
    public static string Id(string value, string field) => Escape(Required(value, field));

    /// <summary>An unset proto3 string (empty) as the REST field it stands for: absent.</summary>
    public static string? Empty(string value) => value.Length == 0 ? null : value;

    public static string Required(string value, string field) =>
        string.IsNullOrWhiteSpace(value) ? throw GrpcErrors.InvalidArgument($"{field} is required.") : value;
}

/// <summary>Reads the REST API's snake_case JSON into protobuf fields (absent or null: the field's default).</summary>
public static class Json
{
    public static string Str(this JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString()!,
            JsonValueKind.Null or JsonValueKind.Undefined => "",
            _ => v.GetRawText(),
        } : "";

    public static long Long(this JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : 0;

    public static long? LongOrNull(this JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : null;

    public static int Int(this JsonElement e, string name) => (int)e.Long(name);

    public static bool Bool(this JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    /// <summary>The raw JSON of a member, as REST sent it; empty when absent or null.</summary>
    public static string Raw(this JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined) ? v.GetRawText() : "";

    public static JsonElement? Obj(this JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object ? v : null;

    public static IEnumerable<JsonElement> Items(this JsonElement e, string? name = null) =>
        (name is null ? e : e.TryGetProperty(name, out var v) ? v : default) is { ValueKind: JsonValueKind.Array } array ? array.EnumerateArray() : [];

    /// <summary>A time as UNIX milliseconds (REST sends ISO 8601 for approvals).</summary>
    public static long Millis(this JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(v.GetString(), out var t)
            ? t.ToUnixTimeMilliseconds() : 0;

    public static string Query(params (string Name, string? Value)[] parameters) =>
        Sdk.Contracts.QueryString.Of(parameters) is { Length: > 0 } q ? "?" + q : "";
}
