using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using OpenMcpChain.Sdk.Contracts;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Checks what a request says about its body before anyone reads it: a Content-Type that parses, UTF-8 text (the only
/// charset JSON and form bodies use here), a multipart boundary, and a Content-Length within the route's limit. A
/// decoder or proxy that met these later would throw (an unknown charset) or stream megabytes first (a body too large).
/// </summary>
public sealed class RequestBodyChecks(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>() is not { CanHaveBody: true }) return next(context);
        var request = context.Request;
        if (request.ContentType is { } contentType)
        {
            if (!MediaTypeHeaderValue.TryParse(contentType, out var media))
                return Refuse(context, StatusCodes.Status415UnsupportedMediaType, ErrorCodes.UnsupportedMediaType,
                    $"Content-Type '{Clip(contentType)}' is not a media type (e.g. application/json).");
            // Every charset parameter counts, an empty one too: a decoder asked for charset "" throws.
            if (media.Parameters.FirstOrDefault(p => p.Name.Equals("charset", StringComparison.OrdinalIgnoreCase)
                    && HeaderUtilities.RemoveQuotes(p.Value).ToString().ToLowerInvariant() is not ("utf-8" or "utf8")) is { } charset)
                return Refuse(context, StatusCodes.Status415UnsupportedMediaType, ErrorCodes.UnsupportedMediaType,
                    $"charset '{Clip(charset.Value.ToString())}' is not supported: send UTF-8 (charset=utf-8, or no charset).");
            // A quoted charset is valid HTTP, but the framework's JSON reader looks the quotes up as part of the name.
            if (media.Charset.HasValue && HeaderUtilities.RemoveQuotes(media.Charset) != media.Charset)
            {
                media.Charset = "utf-8";
                request.ContentType = media.ToString();
            }
            if (media.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
                && HeaderUtilities.RemoveQuotes(media.Boundary).Length is 0 or > 70)
                return Refuse(context, StatusCodes.Status400BadRequest, ErrorCodes.InvalidArgument,
                    "multipart/form-data needs a boundary of 1 to 70 characters.");
        }
        var limit = BodyLimits.For(context);
        if (request.ContentLength > limit)
        {
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size && request.ContentLength <= BodyLimits.DrainBytes)
                size.MaxRequestBodySize = BodyLimits.DrainBytes;
            return BodyLimits.TooLarge(context, limit).ExecuteAsync(context);
        }
        return next(context);
    }

    private static Task Refuse(HttpContext context, int status, string code, string message) =>
        ApiErrors.Problem(status, code, message).ExecuteAsync(context);

    private static string Clip(string text) => text.Length <= 100 ? text : text[..100] + "…";
}
