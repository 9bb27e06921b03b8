using Microsoft.AspNetCore.Http.Features;
using OpenMcpChain.Sdk.Contracts;
using Yarp.ReverseProxy.Forwarder;

namespace Microsoft.AspNetCore.Builder;

/// <summary>The public edge: <c>/api/v1</c> forwarded to the owning services; any other path is a coded 404.</summary>
public static class PublicApi
{
    /// <summary>The routes whose bodies may be larger than <see cref="SizeLimits.DefaultBodyBytes"/> (the Gateway's Kestrel limit).</summary>
    private static readonly Dictionary<string, long> LargerBodies = new()
    {
        ["bundles-verify"] = SizeLimits.BundleBodyBytes,
        ["mcp"] = SizeLimits.McpBodyBytes,
    };

    public static IEndpointRouteBuilder MapPublicApi(this IEndpointRouteBuilder app)
    {
        app.MapReverseProxy(proxy => proxy.Use(async (context, next) =>
        {
            await next();
            // A failed forward leaves an empty answer; give the caller the API's error shape.
            if (context.GetForwarderErrorFeature() is { } error && !context.Response.HasStarted)
                await ForwardingProblem(context, error).ExecuteAsync(context);
        })).ConfigureEndpoints((endpoint, route) =>
        {
            if (LargerBodies.TryGetValue(route.RouteId, out var bytes)) endpoint.WithBodyLimit(bytes);
        });
        app.MapFallback("{**path}", (HttpContext context) => ApiErrors.Problem(StatusCodes.Status404NotFound, ErrorCodes.NotFound,
            $"No route {context.Request.Method} {context.Request.Path}."));
        return app;
    }

    /// <summary>
    /// A body the caller never finished sending (over the route's limit when it came without a length, too slow, cut
    /// off) is the caller's 4xx, as YARP set it; anything that failed towards the service is 503 UNAVAILABLE.
    /// </summary>
    private static IResult ForwardingProblem(HttpContext context, IForwarderErrorFeature error) => (context.Response.StatusCode, error.Error) switch
    {
        (StatusCodes.Status413PayloadTooLarge, _) => BodyLimits.TooLarge(context, BodyLimits.For(context)),
        (StatusCodes.Status408RequestTimeout, _) => ApiErrors.Problem(StatusCodes.Status408RequestTimeout, ErrorCodes.RequestTimeout,
            "The request body arrived too slowly."),
        (_, ForwarderError.RequestBodyClient or ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled) =>
            ApiErrors.Problem(StatusCodes.Status400BadRequest, ErrorCodes.InvalidArgument, "The request body could not be read to its end."),
        _ => ApiErrors.Problem(StatusCodes.Status503ServiceUnavailable, ErrorCodes.Unavailable,
            "The service behind this route is not reachable; try again shortly."),
    };
}
