using System.Security.Claims;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenMcpChain.Gateway.Auth;

/// <summary>The identities tokens are issued for: a user (with a refresh token) or a machine client (without).</summary>
public static class TokenPrincipals
{
    /// <summary>The scopes asked for that the caller holds; all it holds when none are asked for.</summary>
    public static IReadOnlyList<string> Grant(IEnumerable<string> asked, IReadOnlyList<string> held)
    {
        var wanted = asked.Where(s => s != Scopes.OfflineAccess).ToList();
        return wanted.Count == 0 ? held : [.. wanted.Where(held.Contains).Distinct()];
    }

    public static ClaimsPrincipal ForUser(string name, IEnumerable<string> scopes) => Build(name, [.. scopes, Scopes.OfflineAccess]);

    public static ClaimsPrincipal ForClient(string clientId, IEnumerable<string> scopes) => Build(clientId, scopes);

    private static ClaimsPrincipal Build(string name, IEnumerable<string> scopes)
    {
        var identity = new ClaimsIdentity("openmcp-chain", Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, name).SetClaim(Claims.Name, name);
        identity.SetScopes(scopes.Distinct());
        identity.SetResources(AuthOptions.Audience);
        identity.SetDestinations(_ => [Destinations.AccessToken]);
        return new ClaimsPrincipal(identity);
    }
}
