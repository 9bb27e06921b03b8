using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Sdk;

/// <summary>A typed client for the OpenMCP-Chain public API (<c>/api/v1</c>).</summary>
public sealed partial class OpenMcpChainClient(HttpClient http)
{
    private const string TokenPath = "api/v1/auth/token";

    /// <summary>
    /// Gets a bearer token (<c>POST /api/v1/auth/token</c>, password grant) and sends it with every later request of
    /// this client's <see cref="HttpClient"/>. A wrong password is an <see cref="OpenMcpChainException"/> with
    /// <c>INVALID_CREDENTIALS</c>.
    /// </summary>
    public Task<TokenResponse> AuthenticateAsync(string username, string password, string? scope = null, CancellationToken ct = default) =>
        TokenAsync([new("grant_type", "password"), new("username", username), new("password", password), .. Scope(scope)], ct);

    /// <summary>Gets a token for a machine client (OAuth client credentials) and uses it; a wrong secret is <c>INVALID_CLIENT</c>.</summary>
    public Task<TokenResponse> AuthenticateClientAsync(string clientId, string clientSecret, string? scope = null, CancellationToken ct = default) =>
        TokenAsync([new("grant_type", "client_credentials"), new("client_id", clientId), new("client_secret", clientSecret), .. Scope(scope)], ct);

    /// <summary>Trades a refresh token for a new token pair and uses it; a revoked or expired one is <c>INVALID_GRANT</c>.</summary>
    public Task<TokenResponse> RefreshAsync(string refreshToken, CancellationToken ct = default) =>
        TokenAsync([new("grant_type", "refresh_token"), new("refresh_token", refreshToken)], ct);

    /// <summary>Revokes a refresh (or access) token at the OAuth revocation endpoint (RFC 7009), e.g. when signing out.</summary>
    public async Task RevokeAsync(string token, CancellationToken ct = default)
    {
        using var response = await http.PostAsync("connect/revoke", new FormUrlEncodedContent([new("token", token)]), ct);
        if (!response.IsSuccessStatusCode) throw await ErrorAsync(response, ct);
    }

    /// <summary>Sends <paramref name="accessToken"/> as the bearer token of every later request (a token kept from an earlier sign-in).</summary>
    public void UseToken(string accessToken) => http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);

    private TokenResponse UseToken(TokenResponse token)
    {
        UseToken(token.AccessToken);
        return token;
    }

    private async Task<TokenResponse> TokenAsync(List<KeyValuePair<string, string>> form, CancellationToken ct)
    {
        using var response = await http.PostAsync(TokenPath, new FormUrlEncodedContent(form), ct);
        return UseToken(await ReadAsync<TokenResponse>(response, ct));
    }

    private static IEnumerable<KeyValuePair<string, string>> Scope(string? scope) =>
        string.IsNullOrWhiteSpace(scope) ? [] : [new("scope", scope)];

    private async Task<T> GetAsync<T>(string path, CancellationToken ct)
    {
        using var response = await http.GetAsync(path, ct);
        return await ReadAsync<T>(response, ct);
    }

    private async Task<T> PostAsync<T>(string path, object? body, CancellationToken ct)
    {
        using var response = await http.PostAsync(path, body is null ? null : JsonContent.Create(body, options: OpenMcpChainJson.Options), ct);
        return await ReadAsync<T>(response, ct);
    }

    private static string Escape(string segment) => Uri.EscapeDataString(segment);

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
        {
            return await response.Content.ReadFromJsonAsync<T>(OpenMcpChainJson.Options, ct)
                ?? throw new OpenMcpChainException((int)response.StatusCode, ErrorCodes.Internal, "The server returned an empty body.");
        }
        throw await ErrorAsync(response, ct);
    }

    /// <summary>The coded error an unsuccessful answer carries (its body's <c>code</c> and <c>message</c>).</summary>
    private static async Task<OpenMcpChainException> ErrorAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var body = await response.Content.ReadAsStringAsync(ct);
        ApiError? error = null;
        try
        {
            error = JsonSerializer.Deserialize<ApiError>(body, OpenMcpChainJson.Options);
        }
        catch (JsonException)
        {
        }
        return new OpenMcpChainException(
            (int)response.StatusCode,
            error?.Code ?? ErrorCodes.Internal,
            error?.Message ?? $"HTTP {(int)response.StatusCode}: {body}");
    }
}

/// <summary>An error answer from the API, carrying its stable code.</summary>
public sealed class OpenMcpChainException(int statusCode, string code, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
    public string Code { get; } = code;
}
