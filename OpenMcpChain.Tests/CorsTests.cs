using System.Net;
using Aspire.Hosting.Testing;

namespace OpenMcpChain.Tests;

/// <summary>CORS at the Gateway for the configured origins (the devnet defaults: the original console's Vite servers).</summary>
[Collection(SystemCollection.Name)]
public sealed class CorsTests(SystemFixture system)
{
    private HttpClient Anonymous() => new() { BaseAddress = system.App.GetEndpoint("gateway", "http") };

    private static HttpRequestMessage Preflight(string origin, string method, string headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/api/v1/tasks");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", headers);
        return request;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    [Theory]
    [InlineData("http://localhost:5173")]
    [InlineData("http://127.0.0.1:5173")]
    [InlineData("http://localhost:4173")]
    public async Task APreflightFromTheConsolesViteOriginIsAnsweredWithoutAToken(string origin)
    {
        using var http = Anonymous();
        using var request = Preflight(origin, "POST", "content-type,authorization,idempotency-key");
        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(origin, Header(response, "Access-Control-Allow-Origin"));
        Assert.Contains("POST", Header(response, "Access-Control-Allow-Methods"));
        var allowed = Header(response, "Access-Control-Allow-Headers")!.ToLowerInvariant();
        Assert.Contains("content-type", allowed);
        Assert.Contains("authorization", allowed);
        Assert.Null(Header(response, "Access-Control-Allow-Credentials")); // bearer tokens, never cookies
    }

    [Theory]
    [InlineData("http://evil.example")]
    [InlineData("http://localhost:5174")]
    [InlineData("https://localhost:5173")]
    public async Task AnotherOriginGetsNoCorsHeadersSoItsBrowserKeepsTheAnswerFromThePage(string origin)
    {
        using var http = Anonymous();
        using var request = Preflight(origin, "POST", "content-type");
        using var preflight = await http.SendAsync(request);
        Assert.Null(Header(preflight, "Access-Control-Allow-Origin"));
        Assert.Null(Header(preflight, "Access-Control-Allow-Methods"));

        using var get = new HttpRequestMessage(HttpMethod.Get, "/api/v1/signer");
        get.Headers.Add("Origin", origin);
        using var answer = await http.SendAsync(get);
        Assert.True(answer.IsSuccessStatusCode);
        Assert.Null(Header(answer, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task TheConsolesOriginCanReadAnswersAndRefusalsAlike()
    {
        const string origin = "http://localhost:5173";
        using var list = new HttpRequestMessage(HttpMethod.Get, "/api/v1/tasks?limit=1");
        list.Headers.Add("Origin", origin);
        using var ok = await system.Gateway.SendAsync(list);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(origin, Header(ok, "Access-Control-Allow-Origin"));

        // Without a token: the 401 reaches the page too, so the console can say why.
        using var http = Anonymous();
        using var anonymous = new HttpRequestMessage(HttpMethod.Get, "/api/v1/tasks");
        anonymous.Headers.Add("Origin", origin);
        using var refused = await http.SendAsync(anonymous);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(origin, Header(refused, "Access-Control-Allow-Origin"));
        Assert.Contains("www-authenticate", Header(refused, "Access-Control-Expose-Headers")!.ToLowerInvariant());
    }
}
