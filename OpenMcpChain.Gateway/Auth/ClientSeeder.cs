using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Core;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenMcpChain.Gateway.Auth;

/// <summary>
/// Registers the scopes and the configured machine clients (<c>Auth:Clients</c>) with the authorization server at start,
/// and the web console's public client (<see cref="ConsoleClientOptions"/>), after the migrator; a client's secret is stored hashed. Replicas starting together may race: the loser tries once more.
/// </summary>
public sealed class ClientSeeder(IServiceProvider services, IOptions<AuthOptions> options, ILogger<ClientSeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        foreach (var name in ScopeNames.All)
        {
            await RaceSafeAsync(async sp =>
            {
                var scopes = sp.GetRequiredService<IOpenIddictScopeManager>();
                if (await scopes.FindByNameAsync(name, ct) is null)
                    await scopes.CreateAsync(new OpenIddictScopeDescriptor { Name = name, Resources = { AuthOptions.Audience } }, ct);
            });
        }
        foreach (var (id, client) in options.Value.Clients)
        {
            if (string.IsNullOrEmpty(client.Secret) || client.Secret.Length < 16)
            {
                logger.LogWarning("Client {ClientId} is not registered: Auth:Clients:{ClientId}:Secret must be a secret of at least 16 characters", id, id);
                continue;
            }
            await UpsertAsync(Describe(id, client), ct);
            logger.LogInformation("Client {ClientId} is registered with scopes {Scopes}", id, string.Join(" ", client.Scopes));
        }
        if (options.Value.Console.Enabled) await RegisterConsoleAsync(options.Value, ct);
    }

    /// <summary>
    /// The web console: a public client (no secret, PKCE) that returns to the Gateway's own origin. Its redirect URIs are
    /// rewritten at each start, since the public origin can change between runs.
    /// </summary>
    private async Task RegisterConsoleAsync(AuthOptions auth, CancellationToken ct)
    {
        var redirects = auth.Console.AllRedirectUris(auth.PublicBaseUrl);
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = ConsoleClientOptions.ClientId, ClientType = ClientTypes.Public, ApplicationType = ApplicationTypes.Web,
            ConsentType = ConsentTypes.Implicit, DisplayName = "OpenMCP-Chain console",
        };
        descriptor.RedirectUris.UnionWith(redirects.Select(u => new Uri(u)));
        descriptor.Permissions.UnionWith([Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.Endpoints.Revocation,
            Permissions.GrantTypes.AuthorizationCode, Permissions.GrantTypes.RefreshToken, Permissions.ResponseTypes.Code,
            Permissions.Prefixes.Scope + Scopes.OfflineAccess, .. ScopeNames.All.Select(s => Permissions.Prefixes.Scope + s)]);
        descriptor.Requirements.Add(Requirements.Features.ProofKeyForCodeExchange);
        await UpsertAsync(descriptor, ct);
        logger.LogInformation("The console client is registered with redirect URIs {RedirectUris}", string.Join(" ", redirects));
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;

    private static OpenIddictApplicationDescriptor Describe(string id, GatewayClient client)
    {
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = id, ClientSecret = client.Secret, ClientType = ClientTypes.Confidential, DisplayName = client.DisplayName ?? id,
        };
        descriptor.Permissions.UnionWith([Permissions.Endpoints.Token, Permissions.Endpoints.Revocation, Permissions.GrantTypes.ClientCredentials,
            .. client.Scopes.Select(s => Permissions.Prefixes.Scope + s)]);
        if (client.RedirectUris.Count > 0)
        {
            descriptor.Permissions.UnionWith([Permissions.Endpoints.Authorization, Permissions.GrantTypes.AuthorizationCode,
                Permissions.GrantTypes.RefreshToken, Permissions.ResponseTypes.Code, Permissions.Prefixes.Scope + Scopes.OfflineAccess]);
            descriptor.Requirements.Add(Requirements.Features.ProofKeyForCodeExchange);
            descriptor.RedirectUris.UnionWith(client.RedirectUris.Select(u => new Uri(u)));
        }
        return descriptor;
    }

    /// <summary>Registers the client, or rewrites it as described when it already is.</summary>
    private Task UpsertAsync(OpenIddictApplicationDescriptor descriptor, CancellationToken ct) => RaceSafeAsync(async sp =>
    {
        var applications = sp.GetRequiredService<IOpenIddictApplicationManager>();
        if (await applications.FindByClientIdAsync(descriptor.ClientId!, ct) is { } existing) await applications.UpdateAsync(existing, descriptor, ct);
        else await applications.CreateAsync(descriptor, ct);
    });

    /// <summary>Runs a find-then-write once more (in a fresh scope) when another replica wrote between the find and the write.</summary>
    private async Task RaceSafeAsync(Func<IServiceProvider, Task> write)
    {
        try
        {
            await using var scope = services.CreateAsyncScope();
            await write(scope.ServiceProvider);
        }
        catch (Exception e) when (e is OpenIddictExceptions.ConcurrencyException or OpenIddictExceptions.ValidationException
            or Microsoft.EntityFrameworkCore.DbUpdateException)
        {
            logger.LogInformation("Another replica registered the same clients or scopes meanwhile; trying again: {Reason}", e.Message);
            await using var scope = services.CreateAsyncScope();
            await write(scope.ServiceProvider);
        }
    }
}
