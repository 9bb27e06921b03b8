using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace Microsoft.Extensions.Hosting;

/// <summary>Makes every error answer a ProblemDetails that carries the API's stable <c>code</c> and <c>message</c>.</summary>
public static class ApiErrors
{
    public static TBuilder AddApiErrors<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.Configure<JsonOptions>(o => OpenMcpChainJson.Configure(o.SerializerOptions));
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            var problem = ctx.ProblemDetails;
            var status = problem.Status ?? ctx.HttpContext.Response.StatusCode;
            if (!problem.Extensions.ContainsKey("code"))
            {
                problem.Extensions["code"] = ctx.Exception switch
                {
                    BadHttpRequestException => ErrorCodes.InvalidArgument,
                    _ => CodeFor(status),
                };
            }
            if (!problem.Extensions.ContainsKey("message"))
            {
                problem.Extensions["message"] = ctx.Exception is BadHttpRequestException bad
                    ? Describe(bad)
                    : problem.Detail ?? problem.Title ?? "The request failed.";
            }
        });
        // Malformed bodies raise BadHttpRequestException in every environment, so the caller learns what was wrong.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
        return builder;
    }

    /// <summary>A 4xx/5xx result with the given code and message.</summary>
    public static ProblemHttpResult Problem(int status, string code, string message) =>
        TypedResults.Problem(statusCode: status, detail: message,
            extensions: new Dictionary<string, object?> { ["code"] = code, ["message"] = message });

    private static string CodeFor(int status) => status switch
    {
        StatusCodes.Status400BadRequest => ErrorCodes.InvalidArgument,
        StatusCodes.Status404NotFound => ErrorCodes.NotFound,
        StatusCodes.Status405MethodNotAllowed => ErrorCodes.MethodNotAllowed,
        StatusCodes.Status415UnsupportedMediaType => ErrorCodes.UnsupportedMediaType,
        StatusCodes.Status503ServiceUnavailable => ErrorCodes.Unavailable,
        _ => ErrorCodes.Internal,
    };

    private static string Describe(BadHttpRequestException e) => e.InnerException switch
    {
        JsonException json => $"The request body is not valid JSON: {json.Message}",
        _ => e.Message,
    };

    /// <summary>Turns a malformed request (bad JSON, wrong types) into a 400 instead of a 500.</summary>
    private sealed class BadRequestExceptionHandler(IProblemDetailsService problems, ILogger<BadRequestExceptionHandler> logger) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
        {
            if (exception is not BadHttpRequestException bad)
            {
                return false;
            }
            logger.LogDebug("Rejected a malformed request to {Path}: {Reason}", context.Request.Path, bad.Message);
            context.Response.StatusCode = bad.StatusCode;
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                Exception = bad,
                ProblemDetails = { Status = bad.StatusCode, Title = "Bad request" },
            });
        }
    }
}
