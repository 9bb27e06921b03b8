using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Tests.Fuzz;

/// <summary>
/// Builds the fuzz cases: the lists in <c>edge-corpus.json</c> crossed with the routes they apply to, plus what cannot be
/// written as text (sizes, invalid UTF-8, deep nesting) and the cases the issue names with their exact answers.
/// </summary>
public static class EdgeCorpus
{
    public const string TaskGoal = "fuzz: what is the latest block number?";
    private static readonly JsonElement Data = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fuzz", "edge-corpus.json"))).RootElement;

    /// <summary>The corpus' bundle edits (path, raw JSON), shared with the offline verifier test.</summary>
    public static IEnumerable<(string Path, string Json)> BundleEdits =>
        Data.GetProperty("bundle_edits").EnumerateArray().Select(e => (e[0].GetString()!, e[1].GetString()!));

    /// <summary>Every case for the public routes but the token endpoint; <paramref name="bundle"/> is a genuine, anchored proof bundle.</summary>
    public static IEnumerable<FuzzCase> Cases(JsonNode bundle) =>
    [
        .. PathValues(), .. Queries(), .. OtherPaths(), .. Methods(), .. ContentTypes(), .. RawBodies(), .. TaskFieldValues(),
        .. Encodings(), .. Sizes(), .. Headers(), .. Mcp(), .. BundleEditCases(bundle),
    ];

    private static IEnumerable<FuzzCase> PathValues()
    {
        foreach (var route in Strings("routes_with_a_value"))
        {
            foreach (var value in Strings("path_values")) yield return new("path value", "GET", route.Replace("{}", value));
            foreach (var value in Data.GetProperty("kestrel_rejects").GetProperty("path_values").EnumerateArray())
                yield return new("path value Kestrel refuses", "GET", route.Replace("{}", value.GetString())) { KestrelRejects = true };
        }
    }

    private static IEnumerable<FuzzCase> Queries() =>
        Data.GetProperty("queries").EnumerateObject().SelectMany(route => route.Value.EnumerateArray()
            .Select(query => new FuzzCase("query", "GET", $"{route.Name}?{query.GetString()}")));

    private static IEnumerable<FuzzCase> OtherPaths() =>
        Strings("other_paths").Select(path => new FuzzCase("path", "GET", path)
        {
            Expect = path == "/openapi/v1.json" ? (404, ErrorCodes.NotFound) : null,
        });

    private static IEnumerable<FuzzCase> Methods() =>
        from route in Strings("method_routes")
        from method in Strings("methods")
        select new FuzzCase("method", method, route)
        {
            Body = method is "PUT" or "PATCH" ? "{}"u8.ToArray() : null,
            ContentType = method is "PUT" or "PATCH" ? "application/json" : null,
        };

    private static IEnumerable<FuzzCase> ContentTypes()
    {
        foreach (var type in Data.GetProperty("content_types").EnumerateArray().Select(t => t.GetString()))
        {
            var unsupported = type is { } t && (t.EndsWith("=bogus") || t.EndsWith("=ebcdic") || t.EndsWith("=utf-7"));
            yield return new("content type", "POST", "/api/v1/tasks")
            {
                Body = Utf8($"{{\"goal\":\"{TaskGoal}\"}}"), ContentType = type,
                Expect = unsupported ? (415, ErrorCodes.UnsupportedMediaType) : null,
            };
            yield return new("content type", "POST", "/api/v1/bundles/verify") { Body = "{}"u8.ToArray(), ContentType = type };
        }
    }

    private static IEnumerable<FuzzCase> RawBodies() =>
        from body in Strings("raw_bodies")
        from route in new[] { "/api/v1/tasks", "/api/v1/bundles/verify", $"/api/v1/approvals/{Guid.Empty}/reject" }
        select new FuzzCase("raw body", "POST", route) { Body = Utf8(body), ContentType = "application/json" };

    /// <summary>Each field of a valid task body replaced by each hostile JSON value.</summary>
    private static IEnumerable<FuzzCase> TaskFieldValues() =>
        from field in Strings("task_fields")
        from value in Strings("json_values")
        select new FuzzCase($"task field {field}", "POST", "/api/v1/tasks")
        {
            Body = Utf8(field == "goal" ? $"{{\"goal\":{value}}}" : $"{{\"goal\":\"{TaskGoal}\",\"{field}\":{value}}}"),
            ContentType = "application/json",
        };

    private static IEnumerable<FuzzCase> Encodings()
    {
        byte[] invalidUtf8 = [.. "{\"goal\":\""u8, 0xFF, 0xFE, 0xC0, 0xAE, .. "\"}"u8];
        yield return new("invalid UTF-8", "POST", "/api/v1/tasks") { Body = invalidUtf8, ContentType = "application/json" };
        yield return new("UTF-16 text", "POST", "/api/v1/tasks") { Body = Encoding.Unicode.GetBytes($"{{\"goal\":\"{TaskGoal}\"}}"), ContentType = "application/json" };
        yield return new("nested 100 deep", "POST", "/api/v1/tasks")
        {
            Body = Utf8($"{{\"goal\":\"{TaskGoal}\",\"metadata\":{{\"d\":{new string('[', 100)}{new string(']', 100)}}}}}"), ContentType = "application/json",
        };
        yield return new("nested 10000 deep", "POST", "/api/v1/bundles/verify")
        {
            Body = Utf8(new string('[', 10_000) + new string(']', 10_000)), ContentType = "application/json",
        };
        yield return new("gzip-labelled plain body", "POST", "/api/v1/tasks")
        {
            Body = Utf8($"{{\"goal\":\"{TaskGoal}\"}}"), ContentType = "application/json", Headers = [new("Content-Encoding", "gzip")],
        };
    }

    private static IEnumerable<FuzzCase> Sizes()
    {
        var tooLarge = (413, ErrorCodes.PayloadTooLarge);
        yield return new("metadata of 17 MB", "POST", "/api/v1/tasks")
        {
            Body = Utf8($"{{\"goal\":\"{TaskGoal}\",\"metadata\":{{\"blob\":\"{new string('m', 17_000_000)}\"}}}}"), ContentType = "application/json", Expect = tooLarge,
        };
        yield return new("body of 40 MB", "POST", "/api/v1/tasks") { Body = new byte[40_000_000], ContentType = "application/json", Expect = tooLarge };
        yield return new("body one byte over 64 KiB", "POST", "/api/v1/tasks")
        {
            Body = Padded(SizeLimits.TaskBodyBytes + 1), ContentType = "application/json", Expect = tooLarge,
        };
        yield return new("body just under 64 KiB", "POST", "/api/v1/tasks") { Body = Padded(SizeLimits.TaskBodyBytes - 16), ContentType = "application/json" };
        yield return new("chunked body over 64 KiB", "POST", "/api/v1/tasks")
        {
            Body = Padded(200_000), ContentType = "application/json", Chunked = true, Expect = tooLarge,
        };
        yield return new("bundle of 9 MB", "POST", "/api/v1/bundles/verify") { Body = Padded(9_000_000), ContentType = "application/json", Expect = tooLarge };
        yield return new("MCP message of 2 MB", "POST", "/mcp") { Body = Padded(2_000_000), ContentType = "application/json", Expect = tooLarge };
        yield return new("20,000-character path", "GET", "/api/v1/tasks/" + new string('p', 20_000)) { Expect = (414, ErrorCodes.UriTooLong) };
        yield return new("9,000-character query", "GET", "/api/v1/tasks?q=" + new string('q', 9_000)) { Expect = (414, ErrorCodes.UriTooLong) };
        yield return new("URL just under 8 KiB", "GET", "/api/v1/tasks/" + new string('u', SizeLimits.UrlBytes - 20));
        yield return new("100 KB Authorization header", "GET", "/api/v1/tasks")
        {
            Headers = [new("Authorization", "Bearer " + new string('a', 100_000))], Expect = (431, ErrorCodes.HeadersTooLarge),
        };
        // Host and Authorization make 100: the most the Gateway takes, and the services behind it take them too.
        yield return new("98 more headers", "GET", "/api/v1/tasks?limit=1")
        {
            Headers = [.. Enumerable.Range(0, 98).Select(i => new KeyValuePair<string, string>($"X-Fuzz-{i}", "v"))], Expect = (200, null),
        };
        yield return new("150 headers", "GET", "/api/v1/tasks")
        {
            Headers = [.. Enumerable.Range(0, 150).Select(i => new KeyValuePair<string, string>($"X-Fuzz-{i}", "v"))], Expect = (431, ErrorCodes.HeadersTooLarge),
        };
    }

    private static IEnumerable<FuzzCase> Headers() =>
        Data.GetProperty("headers").EnumerateArray().Select(h => new FuzzCase($"header {h[0].GetString()}", "GET", "/api/v1/tasks?limit=1")
        {
            Headers = [new(h[0].GetString()!, h[1].GetString()!)],
        });

    private static IEnumerable<FuzzCase> Mcp()
    {
        string[] bodies = ["", "{}", "[]", "not json", "{\"jsonrpc\":\"2.0\"}", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":null}", "{\"jsonrpc\":\"1.0\",\"id\":[],\"method\":7}",
            "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]", $"{{\"jsonrpc\":\"2.0\",\"id\":\"{new string('i', 5000)}\",\"method\":\"ping\"}}"];
        foreach (var body in bodies)
        {
            yield return new("MCP message", "POST", "/mcp")
            {
                Body = Utf8(body), ContentType = "application/json", Headers = [new("Accept", "application/json, text/event-stream")],
            };
        }
        yield return new("MCP without Accept", "POST", "/mcp") { Body = "{}"u8.ToArray(), ContentType = "application/json" };
        yield return new("MCP unknown session", "POST", "/mcp")
        {
            Body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}"u8.ToArray(), ContentType = "application/json",
            Headers = [new("Accept", "application/json, text/event-stream"), new("Mcp-Session-Id", "no-such-session")],
        };
        yield return new("MCP anonymous", "POST", "/mcp") { Body = "{}"u8.ToArray(), ContentType = "application/json", Anonymous = true };
    }

    private static IEnumerable<FuzzCase> BundleEditCases(JsonNode bundle) =>
        BundleEdits.Select(edit => new FuzzCase($"bundle edit {edit.Path}={(edit.Json.Length > 40 ? edit.Json[..40] + "…" : edit.Json)}", "POST", "/api/v1/bundles/verify")
        {
            Body = Utf8(JsonEdits.Apply(bundle, edit.Path, edit.Json).ToJsonString()), ContentType = "application/json", Anonymous = true, BundleEdit = true,
        });

    /// <summary>The token endpoint's hostile bodies (the OAuth part of the issue rewrites that endpoint).</summary>
    public static IEnumerable<FuzzCase> TokenCases(string password)
    {
        const string route = "/api/v1/auth/token";
        var form = $"grant_type=password&username=fuzzer&password={Uri.EscapeDataString(password)}";
        FuzzCase Post(string name, string? type, byte[] body) => new(name, "POST", route) { Body = body, ContentType = type, Anonymous = true };
        yield return Post("text/plain", "text/plain", Utf8(form));
        yield return Post("no Content-Type", null, Utf8("{\"username\":\"fuzzer\",\"password\":\"x\"}"));
        yield return Post("application/xml", "application/xml", Utf8("<token><username>fuzzer</username></token>"));
        yield return Post("text/json", "text/json", Utf8("{\"grant_type\":\"password\",\"username\":\"fuzzer\",\"password\":\"x\"}"));
        yield return Post("broken multipart (no parts)", "multipart/form-data; boundary=XYZ", Utf8("this is not multipart"));
        yield return Post("broken multipart (cut off)", "multipart/form-data; boundary=XYZ", Utf8("--XYZ\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nfuz"));
        yield return Post("multipart without boundary", "multipart/form-data", Utf8("--XYZ--"));
        yield return Post("form field of 5 MB", "application/x-www-form-urlencoded", Utf8(form + "&scope=" + new string('s', 5_000_000))) with
        {
            Expect = (413, ErrorCodes.PayloadTooLarge),
        };
        yield return Post("unsupported charset", "application/x-www-form-urlencoded; charset=bogus", Utf8(form)) with
        {
            Expect = (415, ErrorCodes.UnsupportedMediaType),
        };
        yield return Post("form of 2000 fields", "application/x-www-form-urlencoded", Utf8(string.Join("&", Enumerable.Range(0, 2000).Select(i => $"f{i}=v"))));
        yield return Post("JSON of wrong types", "application/json", Utf8("{\"grant_type\":1,\"username\":true,\"password\":[]}"));
        yield return Post("JSON array", "application/json", Utf8("[]"));
        yield return Post("JSON null", "application/json", Utf8("null"));
        yield return Post("empty JSON body", "application/json", []);
        yield return Post("invalid JSON", "application/json", Utf8("{\"username\":"));
        yield return Post("scope as an array", "application/json", Utf8($"{{\"grant_type\":\"password\",\"username\":\"fuzzer\",\"password\":{JsonSerializer.Serialize(password)},\"scope\":[\"tasks:read\"]}}"));
        yield return Post("unknown grant", "application/x-www-form-urlencoded", Utf8("grant_type=urn:bogus&username=fuzzer&password=x"));
        yield return Post("refresh grant with garbage", "application/x-www-form-urlencoded", Utf8("grant_type=refresh_token&refresh_token=garbage"));
    }

    private static IEnumerable<string> Strings(string name) => Data.GetProperty(name).EnumerateArray().Select(e => e.GetString()!);

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>A task body of exactly <paramref name="bytes"/> bytes: valid JSON, padded in its metadata.</summary>
    private static byte[] Padded(long bytes)
    {
        var head = $"{{\"goal\":\"{TaskGoal}\",\"metadata\":{{\"pad\":\"";
        return Utf8(head + new string('p', (int)(bytes - head.Length - 3)) + "\"}}");
    }
}
