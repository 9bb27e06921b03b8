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
    public static readonly OpenIddictServerHandlerDescriptor Descriptor =
        OpenIddictServerHandlerDescriptor.CreateBuilder<OpenIddictServerEvents.ProcessSignInContext>()
            .UseInlineHandler(context =>
            {
                if (context.EndpointType == OpenIddictServerEndpointType.Token && context.AccessTokenPrincipal is { } principal)
                {
                    var asked = context.Request?.HasScope(Scopes.OfflineAccess) == true;
                    context.Response.Scope = string.Join(' ', principal.GetScopes().Where(s => asked || s != Scopes.OfflineAccess));
                }
                return default;
            })
            .SetOrder(OpenIddictServerHandlers.AttachCustomSignInParameters.Descriptor.Order + 1_000)
            .Build();
}
