namespace OpenMcpChain.Gateway.Auth;

/// <summary>Who may call the public API (<c>Auth:*</c>): users, machine clients, lifetimes, limits and the key material's secret.</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";
    /// <summary>The audience of every access token: the Gateway's protected resources (<c>/api/v1</c>, <c>/mcp</c>).</summary>
    public const string Audience = "openmcp-chain";

    /// <summary>When false, the task routes are open to anonymous callers (a local demo, loopback binds only); tokens are still issued.</summary>
    public bool Required { get; set; } = true;
    /// <summary>The secret the token signing and encryption keys are derived from (a secret parameter), shared by every replica.</summary>
    public string SigningKey { get; set; } = "";
    /// <summary>The public origin (e.g. <c>https://api.example.com</c>) for the issuer and metadata; by default each request's own.</summary>
    public Uri? PublicBaseUrl { get; set; }
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(14);
    /// <summary>Requests per minute for a user without its own limit, and for anonymous callers per address.</summary>
    public int RequestsPerMinute { get; set; } = 1200;
    public Dictionary<string, GatewayUser> Users { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Machine clients (client credentials), seeded into the authorization server at start.</summary>
    public Dictionary<string, GatewayClient> Clients { get; set; } = new(StringComparer.Ordinal);
    public LockoutOptions Lockout { get; set; } = new();
    public RegistrationOptions Registration { get; set; } = new();
    public ConsoleClientOptions Console { get; set; } = new();

    public override string ToString() =>
        $"{nameof(AuthOptions)} {{ Users = {string.Join(", ", Users.Keys)}, Clients = {string.Join(", ", Clients.Keys)}, SigningKey = *** }}";
}

/// <summary>How password sign-in resists guessing (<c>Auth:Lockout</c>): failures per user and per address before a lock.</summary>
public sealed class LockoutOptions
{
    public int MaxFailures { get; set; } = 5;
    /// <summary>Failures from one client address before it is locked; by default <see cref="MaxFailures"/>.</summary>
    public int? MaxFailuresPerAddress { get; set; }
    public TimeSpan LockFor { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>How long a failure counts.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);
}

/// <summary>RFC 7591 dynamic registration of public clients (<c>Auth:Registration</c>), as MCP clients use it.</summary>
public sealed class RegistrationOptions
{
    public bool Enabled { get; set; } = true;
    /// <summary>Redirect URIs allowed beside loopback ones (e.g. a hosted MCP client's callback).</summary>
    public List<string> RedirectUris { get; set; } = [];
}

/// <summary>
/// The web console (<c>Auth:Console</c>): a public client (code + PKCE) registered at start. It returns to the Gateway's
/// own <c>/</c>, so its redirect URI follows <see cref="AuthOptions.PublicBaseUrl"/>; a deployment reached under other
/// origins lists them here.
/// </summary>
public sealed class ConsoleClientOptions
{
    public const string ClientId = "console";
    /// <summary>The origin the console is reached at when no public base URL is configured: the Gateway's launch profile.</summary>
    public const string LocalRedirectUri = "http://localhost:8080/";

    public bool Enabled { get; set; } = true;
    /// <summary>Redirect URIs beside <c>{PublicBaseUrl}/</c> (e.g. <c>https://console.example.com/</c>).</summary>
    public List<string> RedirectUris { get; set; } = [];

    /// <summary>Where the console may be sent back to: the configured URIs, the public origin's <c>/</c>, or the local default.</summary>
    public IReadOnlyList<string> AllRedirectUris(Uri? publicBaseUrl)
    {
        var uris = new List<string>(RedirectUris);
        if (publicBaseUrl is not null) uris.Add(publicBaseUrl.GetLeftPart(UriPartial.Authority) + publicBaseUrl.AbsolutePath.TrimEnd('/') + "/");
        if (uris.Count == 0) uris.Add(LocalRedirectUri);
        return [.. uris.Distinct(StringComparer.Ordinal)];
    }
}
