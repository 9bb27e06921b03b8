using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace Microsoft.Extensions.Hosting;

/// <summary>Makes every error answer a ProblemDetails that carries the API's stable <c>code</c> and <c>message</c>.</summary>
public static partial class ApiErrors
{
    public static TBuilder AddApiErrors<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.Configure<JsonOptions>(o => OpenMcpChainJson.Configure(o.SerializerOptions));
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            var problem = ctx.ProblemDetails;
            var status = problem.Status ?? ctx.HttpContext.Response.StatusCode;
            problem.Extensions.TryAdd("code", CodeFor(status));
            problem.Extensions.TryAdd("message", problem.Detail ?? problem.Title ?? "The request failed.");
        });
        // Malformed bodies raise BadHttpRequestException in every environment, so the caller learns what was wrong.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
        return builder;
    }

    /// <summary>
    /// The error answers every service gives: exceptions as coded problems, a coded JSON body on any 4xx/5xx that has
    /// none (whatever the caller's Accept header), and the body checks of <see cref="RequestBodyChecks"/>.
    /// </summary>
    public static WebApplication UseApiErrors(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages(context => Problem(context.HttpContext.Response.StatusCode,
            CodeFor(context.HttpContext.Response.StatusCode), MessageFor(context.HttpContext)).ExecuteAsync(context.HttpContext));
        app.UseMiddleware<RequestBodyChecks>();
        return app;
    }

    /// <summary>A 4xx/5xx result with the given code and message.</summary>
    public static ProblemHttpResult Problem(int status, string code, string message) =>
        TypedResults.Problem(statusCode: status, detail: message,
            extensions: new Dictionary<string, object?> { ["code"] = code, ["message"] = message });

    /// <summary>The stable code for an answer that has only a status to go by.</summary>
    public static string CodeFor(int status) => status switch
    {
        StatusCodes.Status400BadRequest => ErrorCodes.InvalidArgument,
        StatusCodes.Status401Unauthorized => ErrorCodes.Unauthenticated,
        StatusCodes.Status403Forbidden => ErrorCodes.Forbidden,
        StatusCodes.Status404NotFound => ErrorCodes.NotFound,
        StatusCodes.Status405MethodNotAllowed => ErrorCodes.MethodNotAllowed,
        StatusCodes.Status408RequestTimeout => ErrorCodes.RequestTimeout,
        StatusCodes.Status413PayloadTooLarge => ErrorCodes.PayloadTooLarge,
        StatusCodes.Status414UriTooLong => ErrorCodes.UriTooLong,
        StatusCodes.Status415UnsupportedMediaType => ErrorCodes.UnsupportedMediaType,
        StatusCodes.Status429TooManyRequests => ErrorCodes.RateLimited,
        StatusCodes.Status431RequestHeaderFieldsTooLarge => ErrorCodes.HeadersTooLarge,
        StatusCodes.Status502BadGateway or StatusCodes.Status503ServiceUnavailable or StatusCodes.Status504GatewayTimeout => ErrorCodes.Unavailable,
        < 500 => ErrorCodes.RequestRejected,
        _ => ErrorCodes.Internal,
    };

    private static string MessageFor(HttpContext context) => context.Response.StatusCode switch
    {
        StatusCodes.Status404NotFound => $"No route {context.Request.Method} {context.Request.Path}.",
        StatusCodes.Status405MethodNotAllowed => $"{context.Request.Method} is not allowed on {context.Request.Path}.",
        StatusCodes.Status413PayloadTooLarge when BodyLimits.For(context) is { } limit =>
            $"The request body is too large: this route takes at most {BodyLimits.Describe(limit)}.",
        var status => ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase + "." : $"The request failed ({status}).",
    };

    /// <summary>What was wrong with a request the framework refused, in the API's words (never a .NET type name).</summary>
    private static string Describe(HttpContext context, BadHttpRequestException e) => e switch
    {
        { StatusCode: StatusCodes.Status413PayloadTooLarge } when BodyLimits.For(context) is { } limit =>
            $"The request body is too large: {context.Request.Method} {context.Request.Path} takes at most {BodyLimits.Describe(limit)}.",
        { InnerException: JsonException json } => JsonBodyErrors.Describe(json, context),
        _ => BoundParameter().Replace(e.Message, "parameter \"${name}\""),
    };

    /// <summary>The framework names a parameter as "Type name" (<c>"long? treeSize"</c>); the type means nothing to a caller.</summary>
    [GeneratedRegex("""parameter "(?:[^"]*\s)?(?<name>[^"\s]+)"\s*""")]
    private static partial Regex BoundParameter();

    /// <summary>Turns a malformed request (bad JSON, wrong types, a broken form, a body too large) into a coded 4xx instead of a 500.</summary>
    private sealed class BadRequestExceptionHandler(ILogger<BadRequestExceptionHandler> logger) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
        {
            var (status, message) = exception switch
            {
                BadHttpRequestException bad => (bad.StatusCode, Describe(context, bad)),
                // The framework's form and multipart readers say "malformed" this way (no boundary end, too many values, …).
                InvalidDataException form => (StatusCodes.Status400BadRequest, $"The form body is malformed: {form.Message}"),
                _ => (0, ""),
            };
            if (status == 0 || context.Response.HasStarted) return false;
            logger.LogDebug("Rejected a malformed request to {Path}: {Reason}", context.Request.Path, message);
            await Problem(status, CodeFor(status), message).ExecuteAsync(context);
            return true;
        }
    }
}
