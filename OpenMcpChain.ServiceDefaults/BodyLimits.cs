using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using OpenMcpChain.Sdk.Contracts;

namespace Microsoft.Extensions.Hosting;

/// <summary>The most bytes a route's request body may have; routing applies it to the request (<see cref="IRequestSizeLimitMetadata"/>).</summary>
public sealed class BodyLimit(long bytes) : IRequestSizeLimitMetadata
{
    public long? MaxRequestBodySize { get; } = bytes;
}

/// <summary>Per-route body limits, and the coded 413 that names the limit.</summary>
public static class BodyLimits
{
    public const long KiB = 1024;
    public const long MiB = 1024 * KiB;

    /// <summary>
    /// A body refused on its Content-Length alone is still read and discarded up to this size, so a client that is still
    /// sending (HttpClient waits to finish sending before it reads the answer) gets the 413 rather than a reset connection.
    /// </summary>
    public const long DrainBytes = 64 * MiB;

    /// <summary>Limits this route's request body to <paramref name="bytes"/>.</summary>
    public static TBuilder WithBodyLimit<TBuilder>(this TBuilder builder, long bytes) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new BodyLimit(bytes));

    /// <summary>The body limit in force for this request (the route's, else the server's), or null when there is none.</summary>
    public static long? For(HttpContext context) => context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;

    /// <summary>"64 KiB (65536 bytes)".</summary>
    public static string Describe(long bytes) => bytes switch
    {
        >= MiB when bytes % MiB == 0 => $"{bytes / MiB} MiB ({bytes.ToString(CultureInfo.InvariantCulture)} bytes)",
        >= KiB when bytes % KiB == 0 => $"{bytes / KiB} KiB ({bytes.ToString(CultureInfo.InvariantCulture)} bytes)",
        _ => $"{bytes.ToString(CultureInfo.InvariantCulture)} bytes",
    };

    /// <summary>The coded 413 for a body over <paramref name="limit"/>.</summary>
    public static IResult TooLarge(HttpContext context, long? limit) => ApiErrors.Problem(StatusCodes.Status413PayloadTooLarge, ErrorCodes.PayloadTooLarge,
        limit is { } bytes
            ? $"The request body is too large: {context.Request.Method} {context.Request.Path} takes at most {Describe(bytes)}."
            : "The request body is too large for this route.");
}
