using Microsoft.AspNetCore;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Server.AspNetCore.OpenIddictServerAspNetCoreHandlers;
using OpenMcpChain.Sdk.Contracts;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenMcpChain.Gateway.Auth;

/// <summary>
/// OAuth errors keep their standard <c>error</c>/<c>error_description</c> and also carry the API's <c>code</c> and
/// <c>message</c>, so the original daemon's clients read token errors as they read every other error.
/// </summary>
public static class OAuthErrors
{
    public static readonly OpenIddictServerHandlerDescriptor TokenDescriptor =
        OpenIddictServerHandlerDescriptor.CreateBuilder<OpenIddictServerEvents.ApplyTokenResponseContext>()
            .UseInlineHandler(context => Attach(context.Response))
            .SetOrder(ProcessJsonResponse<OpenIddictServerEvents.ApplyTokenResponseContext>.Descriptor.Order - 1).Build();

    public static readonly OpenIddictServerHandlerDescriptor RevocationDescriptor =
        OpenIddictServerHandlerDescriptor.CreateBuilder<OpenIddictServerEvents.ApplyRevocationResponseContext>()
            .UseInlineHandler(context => Attach(context.Response))
            .SetOrder(ProcessJsonResponse<OpenIddictServerEvents.ApplyRevocationResponseContext>.Descriptor.Order - 1).Build();

    /// <summary>An authorization error that cannot go back to the client (no valid redirect URI) is shown as JSON, not text.</summary>
    public static readonly OpenIddictServerHandlerDescriptor LocalAuthorizationDescriptor =
        OpenIddictServerHandlerDescriptor.CreateBuilder<OpenIddictServerEvents.ApplyAuthorizationResponseContext>()
            .UseInlineHandler(async context =>
            {
                if (context.Response.Error is not { } error || !string.IsNullOrEmpty(context.RedirectUri)
                    || context.Transaction.GetHttpRequest()?.HttpContext is not { } http) return;
                var message = context.Response.ErrorDescription ?? error;
                await Problem(StatusCodes.Status400BadRequest, CodeFor(error), message, error).ExecuteAsync(http);
                context.HandleRequest();
            })
            .SetOrder(ProcessLocalErrorResponse<OpenIddictServerEvents.ApplyAuthorizationResponseContext>.Descriptor.Order - 1).Build();

    public static string CodeFor(string error) => error switch
    {
        Errors.UnsupportedGrantType => ErrorCodes.UnsupportedGrant,
        Errors.InvalidGrant => ErrorCodes.InvalidGrant,
        Errors.InvalidClient => ErrorCodes.InvalidClient,
        Errors.InvalidScope => ErrorCodes.InvalidScope,
        Errors.UnauthorizedClient => ErrorCodes.UnauthorizedClient,
        Errors.UnsupportedTokenType => ErrorCodes.InvalidArgument,
        Errors.TemporarilyUnavailable => ErrorCodes.Unavailable,
        Errors.ServerError => ErrorCodes.Internal,
        _ => ErrorCodes.InvalidArgument,
    };

    /// <summary>A coded answer that is also a standard OAuth error.</summary>
    public static IResult Problem(int status, string code, string message, string error) =>
        TypedResults.Problem(statusCode: status, detail: message, extensions: new Dictionary<string, object?>
        {
            ["code"] = code, ["message"] = message, [Parameters.Error] = error, [Parameters.ErrorDescription] = message,
        });

    private static ValueTask Attach(OpenIddictResponse? response)
    {
        // Last before the answer is written: the server may still turn one error into another (invalid_token → invalid_grant).
        if (response?.Error is { } error)
        {
            response["code"] = CodeFor(error);
            response["message"] = response.ErrorDescription ?? error;
        }
        return default;
    }
}
