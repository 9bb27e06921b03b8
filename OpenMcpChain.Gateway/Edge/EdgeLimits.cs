using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Gateway.Edge;

/// <summary>
/// The Gateway's URL and header limits (<see cref="SizeLimits"/>), answered with a code. Kestrel refuses an oversized
/// request line or header block itself, before any middleware, with an empty 414/431 that cannot be given a body; so
/// its own limits are raised to ceilings well above the documented ones and the documented ones are enforced here.
/// </summary>
public static class EdgeLimits
{
    /// <summary>Kestrel's ceilings. Only a request beyond them still meets Kestrel's own empty-bodied 414/431.</summary>
    public const int KestrelLineBytes = 256 * 1024, KestrelHeaderBytes = 256 * 1024, KestrelHeaderCount = 1000;

    public static void AddEdgeLimits(this IHostApplicationBuilder builder) =>
        builder.Services.Configure<KestrelServerOptions>(kestrel =>
        {
            kestrel.Limits.MaxRequestLineSize = KestrelLineBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = KestrelHeaderBytes;
            kestrel.Limits.MaxRequestHeaderCount = KestrelHeaderCount;
            // Routes that take more say so (BodyLimit on the route); RequestBodyChecks answers the 413.
            kestrel.Limits.MaxRequestBodySize = SizeLimits.DefaultBodyBytes;
        });

    /// <summary>Refuses a URL or a header block over the documented limits with a coded 414 or 431, first thing.</summary>
    public static WebApplication UseEdgeLimits(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? "";
            if (target.Length > SizeLimits.UrlBytes)
                return ApiErrors.Problem(StatusCodes.Status414UriTooLong, ErrorCodes.UriTooLong,
                    $"The URL (path and query) is {target.Length} bytes; at most {BodyLimits.Describe(SizeLimits.UrlBytes)} are accepted.").ExecuteAsync(context);
            var (count, bytes) = (0, 0L);
            foreach (var (name, values) in context.Request.Headers)
            {
                foreach (var value in values)
                {
                    count++;
                    bytes += name.Length + (value?.Length ?? 0) + 4; // "name: value\r\n", as Kestrel counts them
                }
            }
            if (count > SizeLimits.HeaderCount || bytes > SizeLimits.HeaderBytes)
                return ApiErrors.Problem(StatusCodes.Status431RequestHeaderFieldsTooLarge, ErrorCodes.HeadersTooLarge,
                    $"The request has {count} headers of {bytes} bytes; at most {SizeLimits.HeaderCount} headers of "
                    + $"{BodyLimits.Describe(SizeLimits.HeaderBytes)} in all are accepted.").ExecuteAsync(context);
            return next(context);
        });
        return app;
    }
}
