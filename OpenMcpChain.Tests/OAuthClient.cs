using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Aspire.Hosting.Testing;

namespace OpenMcpChain.Tests;

/// <summary>What an OAuth client does by hand in the tests: discovery from a 401, PKCE, form posts, and reading coded errors.</summary>
internal static partial class OAuthClient
{
    /// <summary>A plain client of the Gateway: no retries, no redirects followed, so every answer reaches the test.</summary>
    public static HttpClient Anonymous(SystemFixture system) =>
        new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = system.App.GetEndpoint("gateway", "http") };

    public static async Task<string> CodeAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString()!;

    public static Task<HttpResponseMessage> PostFormAsync(this HttpClient http, string path, params (string Key, string Value)[] fields) =>
        http.PostAsync(path, new FormUrlEncodedContent(fields.Select(f => KeyValuePair.Create(f.Key, f.Value))));

    /// <summary>A parameter of a <c>WWW-Authenticate: Bearer …</c> challenge, e.g. <c>resource_metadata</c>.</summary>
    public static string? ChallengeParameter(HttpResponseMessage response, string name) =>
        response.Headers.WwwAuthenticate.Where(h => h.Scheme == "Bearer").Select(h => h.Parameter ?? "")
            .Select(p => Regex.Match(p, $"{name}=\"([^\"]*)\"")).FirstOrDefault(m => m.Success)?.Groups[1].Value;

    /// <summary>A PKCE pair: the verifier and its S256 challenge.</summary>
    public static (string Verifier, string Challenge) Pkce()
    {
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        return (verifier, Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }

    public static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The sign-in page's antiforgery field name and token.</summary>
    public static (string Name, string Token) Antiforgery(string html)
    {
        var match = AntiforgeryField().Match(html);
        return (match.Groups[1].Value, System.Net.WebUtility.HtmlDecode(match.Groups[2].Value));
    }

    [GeneratedRegex("name=\"(__RequestVerificationToken[^\"]*)\" value=\"([^\"]*)\"")]
    private static partial Regex AntiforgeryField();
}
