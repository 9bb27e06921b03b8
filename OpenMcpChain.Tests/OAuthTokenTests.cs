using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Tests;

/// <summary>The token endpoint: the original clients' password grant, machine clients, refresh, revocation and bad input.</summary>
[Collection(SystemCollection.Name)]
public sealed class OAuthTokenTests(SystemFixture system)
{
    private async Task<TokenResponse> ReadTokenAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonSerializer.Deserialize<TokenResponse>(body, OpenMcpChainJson.Options)!;
    }

    private HttpClient WithToken(string token)
    {
        var http = OAuthClient.Anonymous(system);
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return http;
    }

    [Fact]
    public async Task ThePasswordGrantTakesJsonOrAFormAndAScopeStringOrArray()
    {
        using var http = OAuthClient.Anonymous(system);
        var password = await system.ParameterAsync("gateway-operator-password");

        // The original daemon's request shape: scope an array.
        var array = await ReadTokenAsync(await http.PostAsJsonAsync("/api/v1/auth/token",
            new { grant_type = "password", username = "operator", password, scope = new[] { "tasks:read", "chain:tools" } }));
        Assert.Equal("tasks:read chain:tools", array.Scope);
        Assert.Equal("Bearer", array.TokenType);
        Assert.InRange(array.ExpiresIn, 1, 3600);
        Assert.False(string.IsNullOrEmpty(array.RefreshToken));
        // A string scope, and no grant_type at all (the original took that as the password grant).
        var plain = await ReadTokenAsync(await http.PostAsJsonAsync("/api/v1/auth/token", new { username = "operator", password, scope = "tasks:write" }));
        Assert.Equal("tasks:write", plain.Scope);
        var form = await ReadTokenAsync(await http.PostFormAsync("/api/v1/auth/token",
            ("grant_type", "password"), ("username", "viewer"), ("password", await system.ParameterAsync("gateway-viewer-password"))));
        Assert.Equal("tasks:read", form.Scope); // the devnet's read-only user
        // The OAuth endpoint answers the same.
        var oauth = await ReadTokenAsync(await http.PostFormAsync("/connect/token", ("grant_type", "password"), ("username", "operator"), ("password", password)));
        Assert.Contains("approvals:decide", oauth.Scope);

        using var api = WithToken(array.AccessToken);
        Assert.True((await api.GetAsync("/api/v1/tasks")).IsSuccessStatusCode);
    }

    [Fact]
    public async Task AMachineClientGetsATokenWithItsSecretAndOnlyTheScopesItHolds()
    {
        using var http = OAuthClient.Anonymous(system);
        var secret = await system.ParameterAsync("gateway-automation-secret");
        var token = await ReadTokenAsync(await http.PostFormAsync("/connect/token",
            ("grant_type", "client_credentials"), ("client_id", "automation"), ("client_secret", secret), ("scope", "tasks:read")));
        Assert.Equal("tasks:read", token.Scope);
        Assert.Null(token.RefreshToken); // a machine asks again instead

        using var api = WithToken(token.AccessToken);
        var list = await api.GetFromJsonAsync<TaskListResponse>("/api/v1/tasks", OpenMcpChainJson.Options);
        Assert.NotNull(list);
        using var write = await api.PostAsJsonAsync("/api/v1/tasks", new { goal = "What is the latest block number?" });
        Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
        Assert.Equal("insufficient_scope", OAuthClient.ChallengeParameter(write, "error"));
        Assert.Equal("tasks:write", OAuthClient.ChallengeParameter(write, "scope"));

        // HTTP Basic client authentication works as well; a wrong secret or a scope it does not hold gets nothing.
        using var basic = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new FormUrlEncodedContent([KeyValuePair.Create("grant_type", "client_credentials")]),
        };
        basic.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"automation:{secret}")));
        Assert.Equal("tasks:read tasks:write", (await ReadTokenAsync(await http.SendAsync(basic))).Scope);
        using var wrong = await http.PostFormAsync("/connect/token", ("grant_type", "client_credentials"), ("client_id", "automation"), ("client_secret", "wrong-secret"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("INVALID_CLIENT", await OAuthClient.CodeAsync(wrong));
        using var tooMuch = await http.PostFormAsync("/connect/token",
            ("grant_type", "client_credentials"), ("client_id", "automation"), ("client_secret", secret), ("scope", "chain:tools"));
        Assert.Equal(HttpStatusCode.BadRequest, tooMuch.StatusCode);
        var refusal = await tooMuch.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("INVALID_ARGUMENT", refusal.GetProperty("code").GetString());
        Assert.Contains("scope", refusal.GetProperty("message").GetString());
    }

    [Fact]
    public async Task ARefreshTokenGetsANewTokenAndRevokedTokensStopWorking()
    {
        using var http = OAuthClient.Anonymous(system);
        var first = await ReadTokenAsync(await http.PostAsJsonAsync("/api/v1/auth/token",
            new { grant_type = "password", username = "reader", password = SystemFixture.ReaderPassword }));
        var renewed = await ReadTokenAsync(await http.PostAsJsonAsync("/api/v1/auth/token", new { grant_type = "refresh_token", refresh_token = first.RefreshToken }));
        Assert.Equal("tasks:read", renewed.Scope);
        Assert.NotEqual(first.AccessToken, renewed.AccessToken);
        using var api = WithToken(renewed.AccessToken);
        Assert.True((await api.GetAsync("/api/v1/tasks/stats")).IsSuccessStatusCode);

        // Revoked: the refresh token gets nothing more, and the access token stops working at once.
        Assert.True((await http.PostFormAsync("/connect/revoke", ("token", renewed.RefreshToken!))).IsSuccessStatusCode);
        using var refused = await http.PostAsJsonAsync("/api/v1/auth/token", new { grant_type = "refresh_token", refresh_token = renewed.RefreshToken });
        var refusal = await refused.Content.ReadAsStringAsync();
        Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, refusal);
        Assert.True(JsonSerializer.Deserialize<JsonElement>(refusal).GetProperty("code").GetString() == "INVALID_GRANT", refusal);
        Assert.True((await http.PostFormAsync("/connect/revoke", ("token", renewed.AccessToken))).IsSuccessStatusCode);
        using var revoked = await api.GetAsync("/api/v1/tasks/stats");
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        Assert.Equal("invalid_token", OAuthClient.ChallengeParameter(revoked, "error"));
    }

    [Fact]
    public async Task HostileTokenRequestsGetACoded4xxNeverA500()
    {
        using var http = OAuthClient.Anonymous(system);
        const string body = """{"grant_type":"password","username":"operator","password":"x"}""";
        static HttpContent Typed(string text, string contentType)
        {
            var content = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            return content;
        }
        var cases = new (string Name, Func<HttpContent> Content, HttpStatusCode Status)[]
        {
            ("text/plain", () => Typed(body, "text/plain"), HttpStatusCode.UnsupportedMediaType),
            ("no Content-Type", () => new ByteArrayContent(Encoding.UTF8.GetBytes(body)), HttpStatusCode.UnsupportedMediaType),
            ("application/xml", () => Typed("<token/>", "application/xml"), HttpStatusCode.UnsupportedMediaType),
            ("text/json, broken", () => Typed("{\"grant_type\":", "text/json"), HttpStatusCode.BadRequest),
            ("broken multipart", () => Typed("--b\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\npass", "multipart/form-data; boundary=b"),
                HttpStatusCode.UnsupportedMediaType),
            ("charset=bogus", () => Typed(body, "application/json; charset=bogus"), HttpStatusCode.UnsupportedMediaType),
            ("charset=ibm037", () => Typed("grant_type=password&username=operator&password=x", "application/x-www-form-urlencoded; charset=ibm037"),
                HttpStatusCode.UnsupportedMediaType),
            ("a 5 MB form field", () => Typed("grant_type=password&password=" + new string('x', 5 * 1024 * 1024 + 1), "application/x-www-form-urlencoded"),
                HttpStatusCode.RequestEntityTooLarge),
            ("JSON nested", () => Typed("""{"username":{"a":1}}""", "application/json"), HttpStatusCode.BadRequest),
            ("JSON not an object", () => Typed("[1,2]", "application/json"), HttpStatusCode.BadRequest),
            ("not UTF-8", () => new ByteArrayContent([0x67, 0x72, 0xff, 0xfe]) { Headers = { ContentType = new("application/x-www-form-urlencoded") } },
                HttpStatusCode.BadRequest),
            ("a repeated username", () => Typed("grant_type=password&username=a&username=b&password=x", "application/x-www-form-urlencoded"),
                HttpStatusCode.BadRequest),
            ("no password", () => Typed("""{"grant_type":"password","username":"operator"}""", "application/json"), HttpStatusCode.BadRequest),
            ("an unknown grant", () => Typed("""{"grant_type":"magic"}""", "application/json"), HttpStatusCode.BadRequest),
        };
        foreach (var (name, content, status) in cases)
        {
            foreach (var path in new[] { "/api/v1/auth/token", "/connect/token" })
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content() };
                using var response = await http.SendAsync(request);
                var text = await response.Content.ReadAsStringAsync();
                Assert.True(status == response.StatusCode, $"{name} at {path}: {(int)response.StatusCode} {text}");
                var error = JsonSerializer.Deserialize<JsonElement>(text);
                Assert.False(string.IsNullOrEmpty(error.GetProperty("code").GetString()), $"{name}: {text}");
                Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()), $"{name}: {text}");
            }
        }
    }
}
