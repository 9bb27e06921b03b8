using OpenIddict.Abstractions;
using OpenIddict.Validation;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Validation.OpenIddictValidationEvents;
using static OpenIddict.Validation.OpenIddictValidationHandlerFilters;
using Protection = OpenIddict.Validation.OpenIddictValidationHandlers.Protection;

namespace OpenMcpChain.Gateway.Auth;

/// <summary>
/// OpenIddict validation's two token-entry handlers (<c>RestoreTokenEntryProperties</c>, <c>ValidateTokenEntry</c>) doing
/// what they do, in their place, with the row read through <see cref="TokenEntryCache"/> instead of gatewaydb on every
/// request: the token's dates and ids come from its row, a token without a row or whose row is no longer valid is refused.
/// </summary>
public static class TokenEntryChecks
{
    public static OpenIddictValidationBuilder UseCachedTokenEntries(this OpenIddictValidationBuilder validation) => validation
        .RemoveEventHandler(Protection.RestoreTokenEntryProperties.Descriptor)
        .RemoveEventHandler(Protection.ValidateTokenEntry.Descriptor)
        .AddEventHandler(RestoreProperties.Descriptor)
        .AddEventHandler(RequireValid.Descriptor);

    private static void Refuse(ValidateTokenContext context) => context.Reject(error: Errors.InvalidToken,
        description: "The specified token is no longer valid.", uri: $"https://documentation.openiddict.com/errors/{OpenIddictResources.ID2019}");

    public sealed class RestoreProperties(TokenEntryCache cache, IServiceProvider services, ILogger<RestoreProperties> logger) : IOpenIddictValidationHandler<ValidateTokenContext>
    {
        public static OpenIddictValidationHandlerDescriptor Descriptor { get; } = OpenIddictValidationHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
            .AddFilter<RequireTokenEntryValidationEnabled>()
            // Scoped: gatewaydb is read, on a miss, through the request's own token manager.
            .UseScopedHandler<RestoreProperties>()
            .SetOrder(Protection.RestoreTokenEntryProperties.Descriptor.Order)
            .SetType(OpenIddictValidationHandlerType.Custom)
            .Build();

        public async ValueTask HandleAsync(ValidateTokenContext context)
        {
            if (context.Principal is null || context.Principal.GetTokenId() is not { Length: > 0 } id) return;
            if (await cache.FindAsync(id, services, context.CancellationToken) is not { } entry)
            {
                Refuse(context);
                return;
            }
            // A reference token's payload used as a token of its own: its row says it is only good by reference.
            if (!context.IsReferenceToken && !string.IsNullOrEmpty(entry.ReferenceId))
            {
                logger.LogWarning("Token {TokenId} is a reference token's payload presented as a token; refused", entry.Id);
                Refuse(context);
                return;
            }
            context.Principal
                .SetCreationDate(entry.CreationDate)
                .SetExpirationDate(entry.ExpirationDate)
                .SetAuthorizationId(context.AuthorizationId = entry.AuthorizationId)
                .SetTokenId(context.TokenId = entry.Id)
                .SetTokenType(entry.Type);
        }
    }

    public sealed class RequireValid(TokenEntryCache cache, IServiceProvider services, ILogger<RequireValid> logger) : IOpenIddictValidationHandler<ValidateTokenContext>
    {
        public static OpenIddictValidationHandlerDescriptor Descriptor { get; } = OpenIddictValidationHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
            .AddFilter<RequireTokenEntryValidationEnabled>()
            .AddFilter<RequireTokenIdResolved>()
            .UseScopedHandler<RequireValid>()
            .SetOrder(Protection.ValidateTokenEntry.Descriptor.Order)
            .SetType(OpenIddictValidationHandlerType.Custom)
            .Build();

        public async ValueTask HandleAsync(ValidateTokenContext context)
        {
            var entry = await cache.FindAsync(context.TokenId!, services, context.CancellationToken);
            if (entry?.IsValid == true) return;
            logger.LogInformation("Token {TokenId} is no longer valid (revoked, redeemed or pruned); refused", context.TokenId);
            Refuse(context);
        }
    }
}
