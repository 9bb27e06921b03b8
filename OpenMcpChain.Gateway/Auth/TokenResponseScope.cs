using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenMcpChain.Gateway.Auth;

/// <summary>
/// Every token response names the granted scope, as the original API did (OAuth names it only when it differs from the
/// request); <c>offline_access</c>, implied for users, is named only to a client that asked for it.
/// </summary>
public static class TokenResponseScope
{
    private const string Granted = "openmcp:granted-scope";

    /// <summary>Notes the granted scope while the token is issued…</summary>
    public static readonly OpenIddictServerHandlerDescriptor SignInDescriptor =
        OpenIddictServerHandlerDescriptor.CreateBuilder<OpenIddictServerEvents.ProcessSignInContext>()
            .UseInlineHandler(context =>
            {
                if (context.EndpointType == OpenIddictServerEndpointType.Token && context.Principal is { } principal)
                {
                    var asked = context.Request?.HasScope(Scopes.OfflineAccess) == true;
                    context.Transaction.Properties[Granted] = string.Join(' ', principal.GetScopes().Where(s => asked || s != Scopes.OfflineAccess));
                }
                return default;
            })
            .Build();

    /// <summary>…and names it in the answer.</summary>
    public static readonly OpenIddictServerHandlerDescriptor ResponseDescriptor =
        OpenIddictServerHandlerDescriptor.CreateBuilder<OpenIddictServerEvents.ApplyTokenResponseContext>()
            .UseInlineHandler(context =>
            {
                if (context.Response.Error is null && context.Transaction.Properties.TryGetValue(Granted, out var scope))
                    context.Response.Scope = (string?)scope;
                return default;
            })
            .SetOrder(int.MinValue + 50_000)
            .Build();
}
