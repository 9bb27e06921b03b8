using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using OpenIddict.Server;
using Microsoft.AspNetCore;
using OpenIddict.Validation.AspNetCore;
using OpenMcpChain.Gateway.Infrastructure;
using OpenMcpChain.ServiceDefaults;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenMcpChain.Gateway.Auth;

/// <summary>
/// The OAuth 2.1 authorization server (OpenIddict): authorization code + PKCE (S256), client credentials, the password
/// grant of the original API, refresh and revocation; clients, scopes and tokens in gatewaydb; its own tokens validated locally.
/// </summary>
public static class AuthorizationServer
{
    /// <summary>The sign-in page's cookie: who is signed in while an authorization request is answered.</summary>
    public const string SignInScheme = CookieAuthenticationDefaults.AuthenticationScheme;

    public static void AddAuthorizationServer(this IHostApplicationBuilder builder)
    {
        builder.AddMySqlDbContext<GatewayDbContext>("gatewaydb");
        builder.Services.AddHostedService<ClientSeeder>();
        // Cookies and antiforgery tokens made by one replica are read by the others, and survive restarts.
        builder.Services.AddDataProtection().SetApplicationName("openmcp-chain-gateway").PersistKeysToDbContext<GatewayDbContext>();
        builder.Services.AddAntiforgery();

        builder.Services.AddOpenIddict()
            .AddCore(o =>
            {
                o.UseEntityFrameworkCore().UseDbContext<GatewayDbContext>().ReplaceDefaultEntities<Guid>();
                // Its token manager tells the API's token check when a token's state changes (TokenEntryCache).
                o.ReplaceTokenManager(typeof(TokenStateManager<>));
            })
            .AddServer(o =>
            {
                o.SetAuthorizationEndpointUris(AuthPaths.Authorize[1..])
                    .SetTokenEndpointUris(AuthPaths.Token[1..], AuthPaths.LegacyToken[1..])
                    .SetRevocationEndpointUris(AuthPaths.Revoke[1..])
                    .SetConfigurationEndpointUris(".well-known/oauth-authorization-server", ".well-known/openid-configuration")
                    .SetJsonWebKeySetEndpointUris(".well-known/jwks");
                o.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange()
                    .AllowClientCredentialsFlow()
                    .AllowPasswordFlow()
                    .AllowRefreshTokenFlow();
                // The original daemon's clients ask for tokens with a password and no client_id.
                o.AcceptAnonymousClients();
                o.RegisterScopes([.. ScopeNames.All, Scopes.OfflineAccess]);
                // MCP clients name the resource they want a token for (RFC 8707); its URL follows the Gateway's host, so
                // it is checked by the authorization endpoint instead, and every token is for the one audience.
                o.DisableResourceValidation().IgnoreResourcePermissions();
                // Access tokens stay signed JWTs (readable by the resources); codes and refresh tokens are also encrypted.
                o.DisableAccessTokenEncryption();
                o.AddEventHandler(OAuthErrors.TokenDescriptor).AddEventHandler(OAuthErrors.RevocationDescriptor).AddEventHandler(OAuthErrors.LocalAuthorizationDescriptor)
                    .AddEventHandler(TokenResponseScope.SignInDescriptor).AddEventHandler(TokenResponseScope.ResponseDescriptor);
                o.AddEventHandler<OpenIddictServerEvents.HandleConfigurationRequestContext>(h => h.UseInlineHandler(context =>
                {
                    if (context.Transaction.GetHttpRequest()?.HttpContext.RequestServices.GetRequiredService<IOptionsMonitor<AuthOptions>>()
                        .CurrentValue.Registration.Enabled == true)
                        context.Metadata["registration_endpoint"] = new Uri(context.BaseUri!, AuthPaths.Register[1..]).AbsoluteUri;
                    return default;
                }));
                // TLS ends at the edge (the AppHost's proxy, the container platform's ingress).
                o.UseAspNetCore().EnableAuthorizationEndpointPassthrough().EnableTokenEndpointPassthrough().DisableTransportSecurityRequirement();
            })
            .AddValidation(o =>
            {
                o.UseLocalServer();
                o.UseAspNetCore();
                o.AddAudiences(AuthOptions.Audience);
                // A revoked access token stops working at once, not when it expires; the token's row is read through
                // TokenEntryCache, so a token seen before costs no gatewaydb round trip per request.
                o.EnableTokenEntryValidation().UseCachedTokenEntries();
            });
        builder.Services.AddSingleton<TokenEntryCache>();
        builder.Services.AddHostedService(services => services.GetRequiredService<TokenEntryCache>());
        builder.Services.AddOptions<OpenIddictServerOptions>().Configure<IOptions<AuthOptions>>((server, auth) =>
        {
            server.SigningCredentials.Add(new(TokenKeys.Signing(auth.Value.SigningKey), Microsoft.IdentityModel.Tokens.SecurityAlgorithms.EcdsaSha256));
            server.EncryptionCredentials.Add(new(TokenKeys.Encryption(auth.Value.SigningKey),
                Microsoft.IdentityModel.Tokens.SecurityAlgorithms.Aes256KW, Microsoft.IdentityModel.Tokens.SecurityAlgorithms.Aes256CbcHmacSha512));
            server.Issuer = auth.Value.PublicBaseUrl;
            server.AccessTokenLifetime = auth.Value.TokenLifetime;
            server.RefreshTokenLifetime = auth.Value.RefreshTokenLifetime;
            server.CodeChallengeMethods.Remove(CodeChallengeMethods.Plain); // S256 only
        });

        builder.Services.AddAuthentication(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme)
            .AddCookie(SignInScheme, o =>
            {
                o.Cookie.Name = "openmcp.signin";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.LoginPath = AuthPaths.SignIn;
            });
    }
}
