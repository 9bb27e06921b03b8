using OpenMcpChain.Sdk.Contracts;

namespace Microsoft.AspNetCore.Builder;

/// <summary>The public edge: <c>/api/v1</c> forwarded to the owning services; anything else under it is a coded 404.</summary>
public static class PublicApi
{
    public static IEndpointRouteBuilder MapPublicApi(this IEndpointRouteBuilder app)
    {
        app.MapReverseProxy(proxy => proxy.Use(async (context, next) =>
        {
            await next();
            // An unreachable service leaves an empty 502/504; give the caller the API's error shape.
            var error = context.GetForwarderErrorFeature();
            if (error is not null && !context.Response.HasStarted)
            {
                await ApiErrors.Problem(StatusCodes.Status503ServiceUnavailable, ErrorCodes.Unavailable,
                    "The service behind this route is not reachable; try again shortly.").ExecuteAsync(context);
            }
        }));
        app.MapFallback("/api/{**rest}", (HttpContext context) => ApiErrors.Problem(StatusCodes.Status404NotFound, ErrorCodes.NotFound,
            $"No route {context.Request.Method} {context.Request.Path}."));
        return app;
    }
}
