using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Aspire.Hosting.Testing;
using Microsoft.OpenApi;
using Microsoft.Playwright;
using OpenMcpChain.Sdk;

namespace OpenMcpChain.Tests;

/// <summary>
/// The API reference: one OpenAPI document per public surface at the Gateway, true to what the Gateway answers (paths,
/// methods, scopes), with no internal address in it; and the interactive reference at /scalar, working offline.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed partial class ApiReferenceTests(SystemFixture system)
{
    private static readonly string[] Documents = ["tasks", "approvals", "proofs", "auth"];
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);
    private const string SampleId = "0199a1c2-0000-7000-8000-000000000000";

    private Uri Gateway => system.App.GetEndpoint("gateway", "http");

    /// <summary>Each operation of a document: its name, path, method and the scopes it says it needs (null: open).</summary>
    private sealed record Operation(string Document, string Path, string Method, JsonObject Body, string[]? Scopes)
    {
        public override string ToString() => $"{Method.ToUpperInvariant()} {Path} ({Document})";
    }

    private async Task<(string Text, JsonObject Json)> ReadAsync(string name)
    {
        using var http = OAuthClient.Anonymous(system);
        using var response = await http.GetAsync($"/openapi/{name}.json");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{name}: {(int)response.StatusCode} {text}");
        return (text, JsonNode.Parse(text)!.AsObject());
    }

    private async Task<List<Operation>> OperationsAsync()
    {
        var operations = new List<Operation>();
        foreach (var name in Documents)
        {
            var (_, json) = await ReadAsync(name);
            foreach (var (path, item) in json["paths"]!.AsObject())
                foreach (var (method, op) in item!.AsObject())
                    operations.Add(new(name, path, method, op!.AsObject(),
                        op["security"]?[0]?["oauth2"]?.AsArray().Select(s => s!.GetValue<string>()).ToArray()));
        }
        return operations;
    }

    /// <summary>Calls an operation with sample values for its path parameters (and an empty JSON object as body); only the status and body matter.</summary>
    private static async Task<(HttpStatusCode Status, string Body)> CallAsync(HttpClient http, Operation operation)
    {
        var path = PathParameter().Replace(operation.Path, m => m.Value switch
        {
            "{index}" => "0",
            "{name}" => "default",
            _ => SampleId,
        });
        using var request = new HttpRequestMessage(new HttpMethod(operation.Method.ToUpperInvariant()), path);
        if (operation.Method is "post" or "put" or "patch") request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        // A live stream answers its headers and then keeps going: the status is what counts.
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        var body = response.Content.Headers.ContentType?.MediaType == "text/event-stream" ? "" : await response.Content.ReadAsStringAsync(cts.Token);
        return (response.StatusCode, body);
    }

    [Fact]
    public async Task EveryDocumentIsOpenApiServedAtTheGatewaysOwnAddressWithNoInternalOne()
    {
        var internalAddresses = new[] { "agentservice", "proofservice", "chainservice" }.Select(r => system.App.GetEndpoint(r, "http").Authority).ToList();
        foreach (var name in Documents)
        {
            var (text, json) = await ReadAsync(name);
            var read = OpenApiDocument.Parse(text, "json");
            Assert.True(read.Diagnostic?.Errors is null or { Count: 0 }, $"{name}: {string.Join("; ", read.Diagnostic!.Errors.Select(e => e.ToString()))}");
            Assert.NotNull(read.Document);
            Assert.StartsWith("3.", json["openapi"]!.GetValue<string>());
            Assert.Equal([Gateway.GetLeftPart(UriPartial.Authority)], read.Document!.Servers!.Select(s => s.Url!.TrimEnd('/')));
            Assert.NotEmpty(read.Document.Paths);
            // Every absolute URL in the document is the Gateway's; no service address, no localhost:5xxx of a launch profile.
            foreach (Match url in AbsoluteUrl().Matches(text))
                Assert.True(new Uri(url.Value).Authority == Gateway.Authority, $"{name} names {url.Value}");
            foreach (var address in internalAddresses) Assert.DoesNotContain(address, text);
            Assert.DoesNotMatch("localhost:5[0-9]{3}", text);
        }
    }

    [Fact]
    public async Task EachSurfaceIsCompleteAndEveryOperationHasASummaryAndItsCodedErrors()
    {
        var operations = await OperationsAsync();
        string[] Paths(string document) => [.. operations.Where(o => o.Document == document).Select(o => $"{o.Method.ToUpperInvariant()} {o.Path}")];
        Assert.Subset(Paths("tasks").ToHashSet(), new HashSet<string>
        {
            "POST /api/v1/tasks", "GET /api/v1/tasks", "GET /api/v1/tasks/stats", "GET /api/v1/tasks/{id}", "POST /api/v1/tasks/{id}/cancel",
            "GET /api/v1/tasks/{id}/steps", "GET /api/v1/tasks/{id}/events", "GET /api/v1/profiles", "GET /api/v1/profiles/{name}",
        });
        Assert.Subset(Paths("approvals").ToHashSet(), new HashSet<string>
        {
            "GET /api/v1/approvals", "GET /api/v1/approvals/{id}", "GET /api/v1/approvals/events",
            "POST /api/v1/approvals/{id}/approve", "POST /api/v1/approvals/{id}/reject",
        });
        Assert.Subset(Paths("proofs").ToHashSet(), new HashSet<string>
        {
            "GET /api/v1/signer", "GET /api/v1/attestations/{taskId}", "GET /api/v1/bundles/{taskId}", "POST /api/v1/bundles/verify",
            "GET /api/v1/log/entries/{index}", "GET /api/v1/log/entries", "GET /api/v1/log/tree-head", "GET /api/v1/log/proofs/inclusion",
            "GET /api/v1/log/proofs/consistency", "GET /api/v1/anchors", "GET /api/v1/anchors/contract",
        });
        Assert.Subset(Paths("auth").ToHashSet(), new HashSet<string>
        {
            "POST /api/v1/auth/token", "POST /connect/token", "GET /connect/authorize", "POST /connect/revoke", "POST /connect/register",
            "GET /account/signin", "GET /.well-known/oauth-authorization-server", "GET /.well-known/oauth-protected-resource",
            "GET /.well-known/oauth-protected-resource/mcp",
        });
        // What stays inside is not documented: a profile's PUT, the withdrawal, the log's appends and its whole-log verifier.
        Assert.DoesNotContain(operations, o => o.Method == "put" || o.Path.EndsWith("/withdraw") || o.Path == "/api/v1/log/verify");
        Assert.DoesNotContain(operations, o => o.Method == "post" && o.Path.StartsWith("/api/v1/log"));

        foreach (var operation in operations)
        {
            Assert.False(string.IsNullOrWhiteSpace(operation.Body["summary"]?.GetValue<string>()), $"{operation} has no summary");
            var errors = operation.Body["responses"]!.AsObject().Where(r => int.Parse(r.Key) >= 400).ToList();
            // Only a fixed document that takes no input (the authorization server's metadata and keys) has no error to list.
            var takesInput = operation.Body["parameters"] is JsonArray { Count: > 0 } || operation.Body["requestBody"] is not null
                             || operation.Scopes is not null || operation.Path.Contains('{');
            Assert.True(errors.Count > 0 || !takesInput, $"{operation} lists no error answer");
            foreach (var (status, response) in errors.Where(e => e.Value?["content"]?["application/problem+json"] is not null))
            {
                // The codes are named (`CODE`: meaning) and each has an example body with that code.
                var codes = CodeInDescription().Matches(response!["description"]!.GetValue<string>()).Select(m => m.Groups[1].Value).ToList();
                Assert.True(codes.Count > 0, $"{operation} {status} names no error code: {response["description"]}");
                var examples = response["content"]!["application/problem+json"]!["examples"]?.AsObject();
                Assert.True(examples is not null && codes.All(examples.ContainsKey), $"{operation} {status} lacks an example of each code");
            }
        }
        // The codes a careful reader looks for are where they belong.
        string Described(string document, string method, string path, string status) =>
            operations.Single(o => o.Document == document && o.Method == method && o.Path == path).Body["responses"]![status]!["description"]!.GetValue<string>();
        Assert.Contains("TASK_NOT_FOUND", Described("tasks", "get", "/api/v1/tasks/{id}", "404"));
        Assert.Contains("INVALID_LIMIT", Described("tasks", "get", "/api/v1/tasks", "400"));
        Assert.Contains("APPROVAL_ALREADY_DECIDED", Described("approvals", "post", "/api/v1/approvals/{id}/approve", "409"));
        Assert.Contains("SELF_APPROVAL_FORBIDDEN", Described("approvals", "post", "/api/v1/approvals/{id}/approve", "409"));
        Assert.Contains("LOG_INDEX_OUT_OF_RANGE", Described("proofs", "get", "/api/v1/log/proofs/inclusion", "400"));
        Assert.Contains("INVALID_CREDENTIALS", Described("auth", "post", "/api/v1/auth/token", "401"));
    }

    [Fact]
    public async Task EveryDocumentedOperationIsOneTheGatewayAnswers()
    {
        using var http = OAuthClient.Anonymous(system);
        var token = await new OpenMcpChainClient(http).AuthenticateAsync("operator", await system.ParameterAsync("gateway-operator-password"));
        http.DefaultRequestHeaders.Authorization = new("Bearer", token.AccessToken);
        foreach (var operation in await OperationsAsync())
        {
            var (status, body) = await CallAsync(http, operation);
            // The Gateway's own answer to a path or method it does not route is a 404 "No route …" (and never a 405).
            Assert.False(status == HttpStatusCode.NotFound && body.Contains("No route"), $"{operation}: the Gateway does not answer it ({body})");
            Assert.NotEqual(HttpStatusCode.MethodNotAllowed, status);
            Assert.True((int)status < 500, $"{operation}: {(int)status} {body}");
        }
    }

    [Fact]
    public async Task TheSecurityEachOperationDeclaresIsTheOneTheGatewayEnforces()
    {
        using var anonymous = OAuthClient.Anonymous(system);
        using var reader = OAuthClient.Anonymous(system);
        reader.DefaultRequestHeaders.Authorization = new("Bearer",
            (await new OpenMcpChainClient(reader).AuthenticateAsync("reader", SystemFixture.ReaderPassword, "tasks:read")).AccessToken);
        var operations = await OperationsAsync();
        Assert.Contains(operations, o => o.Scopes is ["approvals:decide"]);
        Assert.Contains(operations, o => o.Scopes is ["tasks:write"]);
        foreach (var operation in operations)
        {
            var (status, body) = await CallAsync(anonymous, operation);
            if (operation.Scopes is { Length: > 0 })
            {
                Assert.True(status == HttpStatusCode.Unauthorized, $"{operation} says it needs {string.Join(' ', operation.Scopes)} but answered {(int)status} without a token");
                Assert.NotNull(operation.Body["responses"]!["401"]);
                Assert.NotNull(operation.Body["responses"]!["403"]);
                // A token with tasks:read alone: enough exactly when the operation says tasks:read.
                var (withReader, _) = await CallAsync(reader, operation);
                if (operation.Scopes.Contains("tasks:read")) Assert.NotEqual(HttpStatusCode.Forbidden, withReader);
                else Assert.True(withReader == HttpStatusCode.Forbidden, $"{operation} needs {string.Join(' ', operation.Scopes)}; tasks:read got {(int)withReader}");
            }
            else
            {
                Assert.True(status != HttpStatusCode.Unauthorized || body.Contains("INVALID_CREDENTIALS") || body.Contains("INVALID_CLIENT"),
                    $"{operation} declares no security but refused an anonymous caller: {body}");
            }
        }
    }

    [Fact]
    public async Task UnknownDocumentNamesGetTheCoded404()
    {
        using var http = OAuthClient.Anonymous(system);
        foreach (var name in new[] { "v1", "gateway", "nope", "tasks.json" })
        {
            using var response = await http.GetAsync($"/openapi/{name}.json");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("NOT_FOUND", await OAuthClient.CodeAsync(response));
        }
    }

    [Fact]
    public async Task TheReferenceRendersEveryDocumentInChromiumAndNothingLeavesTheGateway()
    {
        using var deadline = new CancellationTokenSource(Deadline);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        var elsewhere = new List<string>();
        var fetched = new List<string>();
        page.Request += (_, request) =>
        {
            if (Uri.TryCreate(request.Url, UriKind.Absolute, out var any)) lock (fetched) fetched.Add(any.AbsolutePath);
            if (Uri.TryCreate(request.Url, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" or "ws" or "wss"
                && url.Authority != Gateway.Authority)
                lock (elsewhere) elsewhere.Add(request.Url);
        };
        // An operation of each document, as its summary reads.
        foreach (var (name, operation) in new[]
                 {
                     ("tasks", "Submit a task"), ("approvals", "List approval requests"), ("proofs", "A task's proof bundle"),
                     ("auth", "Register an OAuth client (RFC 7591)"),
                 })
        {
            var response = await page.GotoAsync(new Uri(Gateway, $"/scalar/{name}").AbsoluteUri);
            Assert.Equal(200, response!.Status);
            await page.GetByText(operation).First.WaitForAsync(new() { State = WaitForSelectorState.Visible });
            Assert.Contains("OpenMCP-Chain", await page.TitleAsync());
            await page.ScreenshotAsync(new() { Path = Chromium.ScreenshotPath($"scalar-{name}"), FullPage = false });
            deadline.Token.ThrowIfCancellationRequested();
        }
        // Each page read its document from the Gateway, and the reference's configuration lists all four.
        lock (fetched) Assert.All(Documents, name => Assert.Contains($"/openapi/{name}.json", fetched));
        using var http = OAuthClient.Anonymous(system);
        var html = await http.GetStringAsync("/scalar/");
        Assert.All(Documents, name => Assert.Contains($"\"url\":\"openapi/{name}.json\"", html));
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        lock (elsewhere) Assert.True(elsewhere.Count == 0, "Requests left the Gateway: " + string.Join(", ", elsewhere.Distinct()));
    }

    [Fact]
    public async Task TheDashboardLinksTheConsoleTheApiReferenceAndTheMcpEndpoint()
    {
        using var cts = new CancellationTokenSource(Deadline);
        var gateway = await system.App.ResourceNotifications.WaitForResourceAsync("gateway",
            e => e.Snapshot.Urls.Any(u => u.DisplayProperties.DisplayName == "API reference"), cts.Token);
        var links = gateway.Snapshot.Urls.Where(u => !u.IsInternal).GroupBy(u => u.DisplayProperties.DisplayName)
            .ToDictionary(g => g.Key, g => new Uri(g.First().Url));
        Assert.Equal("/", links["Console"].AbsolutePath);
        Assert.Equal("/scalar", links["API reference"].AbsolutePath);
        Assert.Equal("/mcp", links["MCP endpoint"].AbsolutePath);
        Assert.All(["Console", "API reference", "MCP endpoint"], name => Assert.Equal(Gateway.Authority, links[name].Authority));
        // The gRPC API has its own (h2c) endpoint, and the dashboard names that one.
        Assert.Equal(system.App.GetEndpoint("gateway", "grpc").Authority, links["gRPC (h2c)"].Authority);
    }

    [GeneratedRegex(@"\{[^}/]+\}")]
    private static partial Regex PathParameter();

    [GeneratedRegex(@"https?://[A-Za-z0-9.\-\[\]:]+")]
    private static partial Regex AbsoluteUrl();

    [GeneratedRegex(@"`([A-Z][A-Z0-9_]+)`")]
    private static partial Regex CodeInDescription();
}
