using System.Net;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenMcpChain.Gateway.Auth;
using OpenMcpChain.Sdk.Contracts;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// RFC 7591 dynamic client registration (<c>POST /connect/register</c>), as MCP clients use it: public clients only
/// (PKCE, no secret), redirect URIs on loopback or listed in <c>Auth:Registration:RedirectUris</c>.
/// </summary>
public static class RegistrationApi
{
    public sealed record RegistrationRequest(
        List<string>? RedirectUris, string? ClientName, List<string>? GrantTypes, List<string>? ResponseTypes,
        string? TokenEndpointAuthMethod, string? Scope);

    public sealed record RegistrationResponse(
        string ClientId, long ClientIdIssuedAt, string? ClientName, IReadOnlyList<string> RedirectUris, IReadOnlyList<string> GrantTypes,
        IReadOnlyList<string> ResponseTypes, string TokenEndpointAuthMethod, string Scope);

    private static readonly string[] Grants = [GrantTypes.AuthorizationCode, GrantTypes.RefreshToken];

    public static IEndpointRouteBuilder MapRegistrationApi(this IEndpointRouteBuilder app)
    {
        app.MapPost(AuthPaths.Register, RegisterAsync).AllowAnonymous().WithName("RegisterClient").WithTags("Auth")
            .WithSummary("Register an OAuth client (RFC 7591)")
            .WithDescription("Registers a public client (PKCE, no secret) for the authorization code flow, as MCP clients do: redirect " +
                             "URIs on loopback (127.0.0.1, [::1], localhost over http) or configured here. Answers the new `client_id`.")
            .Produces<RegistrationResponse>(201)
            .ProducesErrors(400, ErrorCodes.InvalidArgument).ProducesErrors(404, ErrorCodes.NotFound);
        return app;
    }

    private static async Task<IResult> RegisterAsync(
        RegistrationRequest request, IOpenIddictApplicationManager applications, IOptionsMonitor<AuthOptions> options, CancellationToken ct)
    {
        var registration = options.CurrentValue.Registration;
        if (!registration.Enabled)
            return OAuthErrors.Problem(404, ErrorCodes.NotFound, "Dynamic client registration is turned off here.", "invalid_request");
        if (request.RedirectUris is not { Count: > 0 } uris)
            return Invalid("invalid_redirect_uri", "redirect_uris must name at least one URI.");
        foreach (var uri in uris)
        {
            if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || parsed.Fragment.Length > 0
                || !(IsLoopback(parsed) || registration.RedirectUris.Contains(uri, StringComparer.Ordinal)))
                return Invalid("invalid_redirect_uri", $"'{uri}' is not allowed: use an http loopback URI (127.0.0.1, [::1], localhost) or one configured here.");
        }
        if (request.TokenEndpointAuthMethod is not (null or "none"))
            return Invalid("invalid_client_metadata", "Only public clients register here: token_endpoint_auth_method must be 'none'.");
        var grants = request.GrantTypes is { Count: > 0 } asked ? asked : [.. Grants];
        if (grants.Except(Grants).FirstOrDefault() is { } grant)
            return Invalid("invalid_client_metadata", $"grant_type '{grant}' is not offered to registered clients; use authorization_code and refresh_token.");
        if (request.ResponseTypes is { Count: > 0 } responses && responses.Any(r => r != ResponseTypes.Code))
            return Invalid("invalid_client_metadata", "response_types may only be 'code'.");
        var scopes = request.Scope?.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(s => s != Scopes.OfflineAccess).ToList() is { Count: > 0 } wanted
            ? wanted : [.. ScopeNames.All];
        if (scopes.Except(ScopeNames.All).FirstOrDefault() is { } unknown)
            return Invalid("invalid_client_metadata", $"scope '{unknown}' is not offered here.");

        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = Guid.NewGuid().ToString("N"), ClientType = ClientTypes.Public, ApplicationType = ApplicationTypes.Native,
            ConsentType = ConsentTypes.Implicit, DisplayName = request.ClientName is { Length: > 0 and <= 200 } name ? name : null,
        };
        descriptor.RedirectUris.UnionWith(uris.Select(u => new Uri(u)));
        descriptor.Permissions.UnionWith([Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.Endpoints.Revocation,
            Permissions.GrantTypes.AuthorizationCode, Permissions.ResponseTypes.Code,
            .. grants.Contains(GrantTypes.RefreshToken) ? [Permissions.GrantTypes.RefreshToken, Permissions.Prefixes.Scope + Scopes.OfflineAccess] : Array.Empty<string>(),
            .. scopes.Select(s => Permissions.Prefixes.Scope + s)]);
        descriptor.Requirements.Add(Requirements.Features.ProofKeyForCodeExchange);
        await applications.CreateAsync(descriptor, ct);
        return TypedResults.Created((string?)null, new RegistrationResponse(descriptor.ClientId, DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            descriptor.DisplayName, uris, grants, [ResponseTypes.Code], "none", string.Join(' ', scopes)));
    }

    private static bool IsLoopback(Uri uri) =>
        uri.Scheme == Uri.UriSchemeHttp && (uri.Host == "localhost" || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip)));

    private static IResult Invalid(string error, string description) =>
        OAuthErrors.Problem(400, ErrorCodes.InvalidArgument, description, error);
}
