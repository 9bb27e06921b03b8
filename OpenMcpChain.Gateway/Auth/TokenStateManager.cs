using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Core;

namespace OpenMcpChain.Gateway.Auth;

/// <summary>
/// OpenIddict's token manager, telling <see cref="TokenEntryCache"/> whenever a token's state changes (revoked, redeemed,
/// rejected, updated, deleted, pruned), after the change is stored and before the request that made it is answered.
/// </summary>
public sealed class TokenStateManager<TToken>(IOpenIddictTokenCache<TToken> cache, ILogger<OpenIddictTokenManager<TToken>> logger,
    IOptionsMonitor<OpenIddictCoreOptions> options, IOpenIddictTokenStore<TToken> store, TokenEntryCache entries)
    : OpenIddictTokenManager<TToken>(cache, logger, options, store) where TToken : class
{
    public override async ValueTask UpdateAsync(TToken token, CancellationToken ct = default)
    {
        // TryRevoke, TryRedeem and TryReject store their change through here.
        try
        {
            await base.UpdateAsync(token, ct);
        }
        finally
        {
            await entries.ChangedAsync();
        }
    }

    public override async ValueTask DeleteAsync(TToken token, CancellationToken ct = default)
    {
        await base.DeleteAsync(token, ct);
        await entries.ChangedAsync();
    }

    public override async ValueTask<long> RevokeAsync(string? subject, string? client, string? status, string? type, CancellationToken ct = default) =>
        await ChangedAsync(await base.RevokeAsync(subject, client, status, type, ct));

    public override async ValueTask<long> RevokeByApplicationIdAsync(string identifier, CancellationToken ct = default) =>
        await ChangedAsync(await base.RevokeByApplicationIdAsync(identifier, ct));

    public override async ValueTask<long> RevokeByAuthorizationIdAsync(string identifier, CancellationToken ct = default) =>
        await ChangedAsync(await base.RevokeByAuthorizationIdAsync(identifier, ct));

    public override async ValueTask<long> RevokeBySubjectAsync(string subject, CancellationToken ct = default) =>
        await ChangedAsync(await base.RevokeBySubjectAsync(subject, ct));

    public override async ValueTask<long> PruneAsync(DateTimeOffset threshold, CancellationToken ct = default) =>
        await ChangedAsync(await base.PruneAsync(threshold, ct));

    private async ValueTask<long> ChangedAsync(long count)
    {
        if (count > 0) await entries.ChangedAsync();
        return count;
    }
}
