using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.Testing;
using Microsoft.Playwright;
using ModelContextProtocol.Client;

namespace OpenMcpChain.Tests;

/// <summary>MCP clients discover how to sign in from the 401, register, and sign a user in through a browser (code + PKCE).</summary>
[Collection(SystemCollection.Name)]
public sealed class OAuthFlowTests(SystemFixture system)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);

    /// <summary>What a client learns from <c>/mcp</c>'s 401: the resource metadata, then the authorization server's.</summary>
    private async Task<(JsonElement Resource, JsonElement Server)> DiscoverAsync(HttpClient http)
    {
        using var unauthorized = await http.PostAsJsonAsync("/mcp", new { jsonrpc = "2.0", id = 1, method = "tools/list" });
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Equal("UNAUTHENTICATED", await OAuthClient.CodeAsync(unauthorized));
        var metadataUrl = OAuthClient.ChallengeParameter(unauthorized, "resource_metadata");
        Assert.Equal(new Uri(http.BaseAddress!, "/.well-known/oauth-protected-resource/mcp").AbsoluteUri, metadataUrl);
        var resource = await http.GetFromJsonAsync<JsonElement>(metadataUrl);
        var issuer = resource.GetProperty("authorization_servers")[0].GetString()!;
        var server = await http.GetFromJsonAsync<JsonElement>(new Uri(new Uri(issuer), ".well-known/oauth-authorization-server"));
        Assert.Equal(issuer, server.GetProperty("issuer").GetString());
        return (resource, server);
    }

    [Fact]
    public async Task AnMcpClientDiscoversTheAuthorizationServerFromThe401()
    {
        using var http = OAuthClient.Anonymous(system);
        var (resource, server) = await DiscoverAsync(http);
        Assert.Equal(new Uri(http.BaseAddress!, "/mcp").AbsoluteUri, resource.GetProperty("resource").GetString());
        Assert.Equal(["chain:tools"], resource.GetProperty("scopes_supported").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(["header"], resource.GetProperty("bearer_methods_supported").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(["S256"], server.GetProperty("code_challenge_methods_supported").EnumerateArray().Select(s => s.GetString()));
        var grants = server.GetProperty("grant_types_supported").EnumerateArray().Select(s => s.GetString()).ToList();
        Assert.Contains("authorization_code", grants);
        Assert.Contains("client_credentials", grants);
        Assert.Contains("refresh_token", grants);
        foreach (var endpoint in new[] { "authorization_endpoint", "token_endpoint", "revocation_endpoint", "registration_endpoint", "jwks_uri" })
            Assert.StartsWith(server.GetProperty("issuer").GetString()!, server.GetProperty(endpoint).GetString());
        Assert.True((await http.GetAsync("/.well-known/openid-configuration")).IsSuccessStatusCode);

        // The API's own routes point at the API's metadata, which lists every scope.
        using var tasks = await http.GetAsync("/api/v1/tasks");
        var apiMetadata = OAuthClient.ChallengeParameter(tasks, "resource_metadata");
        Assert.Equal(new Uri(http.BaseAddress!, "/.well-known/oauth-protected-resource").AbsoluteUri, apiMetadata);
        var api = await http.GetFromJsonAsync<JsonElement>(apiMetadata);
        Assert.Contains("approvals:decide", api.GetProperty("scopes_supported").EnumerateArray().Select(s => s.GetString()));

        // A token that is not one: the challenge says so.
        http.DefaultRequestHeaders.Authorization = new("Bearer", "not-a-token");
        using var invalid = await http.GetAsync("/api/v1/tasks");
        Assert.Equal(HttpStatusCode.Unauthorized, invalid.StatusCode);
        Assert.Equal("invalid_token", OAuthClient.ChallengeParameter(invalid, "error"));
    }

    [Fact]
    public async Task AUserSignsInThroughABrowserAndTheMcpClientListsToolsWithTheToken()
    {
        using var deadline = new CancellationTokenSource(Deadline);
        using var http = OAuthClient.Anonymous(system);
        var (_, server) = await DiscoverAsync(http);

        // Dynamic registration, as the MCP Inspector does it: a public client with a loopback redirect.
        const string redirect = "http://127.0.0.1:9/oauth/callback";
        using var registered = await http.PostAsJsonAsync(server.GetProperty("registration_endpoint").GetString(),
            new { client_name = "browser test", redirect_uris = new[] { redirect }, token_endpoint_auth_method = "none" });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var clientId = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("client_id").GetString()!;
        using var elsewhere = await http.PostAsJsonAsync("/connect/register", new { redirect_uris = new[] { "https://evil.example/callback" } });
        Assert.Equal(HttpStatusCode.BadRequest, elsewhere.StatusCode);

        var (verifier, challenge) = OAuthClient.Pkce();
        var mcp = new Uri(http.BaseAddress!, "/mcp").AbsoluteUri;
        var authorize = server.GetProperty("authorization_endpoint").GetString() + "?" + string.Join("&", new Dictionary<string, string>
        {
            ["response_type"] = "code", ["client_id"] = clientId, ["redirect_uri"] = redirect, ["scope"] = "chain:tools tasks:read",
            ["state"] = "s-42", ["code_challenge"] = challenge, ["code_challenge_method"] = "S256", ["resource"] = mcp,
        }.Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}"));

        // The plain PKCE method is refused (S256 only), and so is a redirect URI the client did not register (coded, as JSON).
        using var plain = await http.GetAsync(authorize.Replace("code_challenge_method=S256", "code_challenge_method=plain"));
        Assert.Contains("invalid_request", plain.Headers.Location?.ToString() ?? await plain.Content.ReadAsStringAsync());
        using var unregistered = await http.GetAsync(authorize.Replace(Uri.EscapeDataString(redirect), Uri.EscapeDataString("http://127.0.0.1:9/elsewhere")));
        Assert.Equal(HttpStatusCode.BadRequest, unregistered.StatusCode);
        Assert.Equal("INVALID_ARGUMENT", await OAuthClient.CodeAsync(unregistered));

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ["--no-sandbox"] });
        var page = await browser.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        var callback = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        // Nothing listens on the redirect URI: the test catches the browser's navigation to it, as a native client would.
        await page.RouteAsync(redirect + "**", async route =>
        {
            callback.TrySetResult(new Uri(route.Request.Url));
            await route.FulfillAsync(new() { Status = 200, ContentType = "text/html", Body = "<p>Signed in; return to the app.</p>" });
        });
        await page.GotoAsync(authorize);
        Assert.Contains("Sign in", await page.TitleAsync());
        await page.GetByLabel("Username").FillAsync("operator");
        await page.GetByLabel("Password").FillAsync("wrong password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        Assert.Contains("wrong", await page.GetByRole(AriaRole.Alert).InnerTextAsync());
        await page.GetByLabel("Username").FillAsync("operator");
        await page.GetByLabel("Password").FillAsync(await system.ParameterAsync("gateway-operator-password"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        var landed = await callback.Task.WaitAsync(deadline.Token);
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(landed.Query);
        Assert.Equal("s-42", query["state"].ToString());

        using var exchanged = await http.PostFormAsync(server.GetProperty("token_endpoint").GetString()!,
            ("grant_type", "authorization_code"), ("code", query["code"].ToString()), ("redirect_uri", redirect),
            ("client_id", clientId), ("code_verifier", verifier));
        var token = await exchanged.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(exchanged.IsSuccessStatusCode, token.GetRawText());
        Assert.Equal("chain:tools tasks:read", token.GetProperty("scope").GetString());
        Assert.False(string.IsNullOrEmpty(token.GetProperty("refresh_token").GetString()));

        // The token works on the API (it holds tasks:read) and on /mcp.
        using var api = OAuthClient.Anonymous(system);
        api.DefaultRequestHeaders.Authorization = new("Bearer", token.GetProperty("access_token").GetString());
        Assert.True((await api.GetAsync("/api/v1/tasks/stats")).IsSuccessStatusCode);
        await using var client = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(mcp), TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = $"Bearer {token.GetProperty("access_token").GetString()}" },
        }), cancellationToken: deadline.Token);
        var tools = await client.ListToolsAsync(cancellationToken: deadline.Token);
        Assert.Contains(tools, t => t.Name == "get_chain_info");

        // The same code again gets nothing, and revokes what the code gave (someone else may have had it).
        using var replay = await http.PostFormAsync("/connect/token", ("grant_type", "authorization_code"), ("code", query["code"].ToString()),
            ("redirect_uri", redirect), ("client_id", clientId), ("code_verifier", verifier));
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Equal("INVALID_GRANT", await OAuthClient.CodeAsync(replay));

        using var revoked = await api.GetAsync("/api/v1/tasks/stats");
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
    }
}
