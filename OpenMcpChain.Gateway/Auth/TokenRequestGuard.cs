using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Gateway.Auth;

/// <summary>
/// Hands the authorization server only small, well-formed UTF-8 forms: a token or revocation request must be a form or
/// a JSON object (the original daemon's shape, <c>scope</c> a string or an array) of at most <see cref="MaxBodyBytes"/>;
/// anything else is a coded 4xx here, before it can reach a parser that would fail with a 500.
/// </summary>
public static class TokenRequestGuard
{
    public const int MaxBodyBytes = 16 * 1024;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static IApplicationBuilder UseTokenRequestGuard(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var path = context.Request.Path;
        if (HttpMethods.IsPost(context.Request.Method)
            && (path.Equals(AuthPaths.Token) || path.Equals(AuthPaths.LegacyToken) || path.Equals(AuthPaths.Revoke))
            && await NormalizeAsync(context.Request, defaultGrant: path.Equals(AuthPaths.LegacyToken)) is { } refused)
        {
            await refused.ExecuteAsync(context);
            return;
        }
        await next(context);
    });

    private static async Task<IResult?> NormalizeAsync(HttpRequest request, bool defaultGrant)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var media))
            return Refuse(415, ErrorCodes.UnsupportedMediaType, "Send the request as application/x-www-form-urlencoded or application/json.");
        var type = media.MediaType.Value!.ToLowerInvariant();
        var json = type is "application/json" or "text/json" || type.EndsWith("+json", StringComparison.Ordinal);
        if (!json && type != "application/x-www-form-urlencoded")
            return Refuse(415, ErrorCodes.UnsupportedMediaType, $"Content-Type {type} is not accepted; send application/x-www-form-urlencoded or application/json.");
        var charset = media.Charset.Value?.Trim('"');
        if (!string.IsNullOrEmpty(charset) && charset.ToLowerInvariant() is not ("utf-8" or "utf8" or "us-ascii"))
            return Refuse(415, ErrorCodes.UnsupportedMediaType, $"charset {charset} is not supported; send UTF-8.");
        if (request.ContentLength > MaxBodyBytes) return TooLarge();

        var body = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (body.Length + read > MaxBodyBytes) return TooLarge();
            body.Write(chunk, 0, read);
        }
        string text;
        try
        {
            text = StrictUtf8.GetString(body.GetBuffer(), 0, (int)body.Length);
        }
        catch (DecoderFallbackException)
        {
            return Refuse(400, ErrorCodes.InvalidArgument, "The request body is not valid UTF-8.");
        }

        Dictionary<string, StringValues> fields;
        if (json)
        {
            if (FromJson(text) is not { } parsed)
                return Refuse(400, ErrorCodes.InvalidArgument, "The body must be a JSON object of strings (scope: a string or an array of strings).");
            fields = parsed;
        }
        else
        {
            fields = QueryHelpers.ParseQuery(text);
        }
        if (fields.FirstOrDefault(f => f.Value.Count > 1 && f.Key is not ("scope" or "resource")).Key is { } repeated)
            return Refuse(400, ErrorCodes.InvalidArgument, $"{repeated} must be given once.");
        if (fields.TryGetValue("scope", out var scopes) && scopes.Count > 1) fields["scope"] = string.Join(' ', scopes.ToArray());
        // The original daemon took a request without grant_type as the password grant.
        if (defaultGrant && !fields.ContainsKey("grant_type")) fields["grant_type"] = "password";

        var form = Encoding.UTF8.GetBytes(string.Join('&', fields.SelectMany(f => f.Value.Select(v =>
            $"{Uri.EscapeDataString(f.Key)}={Uri.EscapeDataString(v ?? "")}"))));
        request.Body = new MemoryStream(form);
        request.ContentLength = form.Length;
        request.ContentType = "application/x-www-form-urlencoded";
        return null;
    }

    private static Dictionary<string, StringValues>? FromJson(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 4 });
            if (document.RootElement.ValueKind != JsonValueKind.Object) return null;
            var fields = new Dictionary<string, StringValues>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                switch (property.Value.ValueKind)
                {
                    case JsonValueKind.Null:
                        break;
                    case JsonValueKind.String:
                        fields[property.Name] = property.Value.GetString();
                        break;
                    case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                        fields[property.Name] = property.Value.GetRawText();
                        break;
                    case JsonValueKind.Array when property.Value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String):
                        fields[property.Name] = property.Value.EnumerateArray().Select(v => v.GetString()).ToArray();
                        break;
                    default:
                        return null;
                }
            }
            return fields;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static IResult TooLarge() =>
        Refuse(413, ErrorCodes.PayloadTooLarge, $"A token request is at most {MaxBodyBytes / 1024} KB.");

    private static IResult Refuse(int status, string code, string message) =>
        OAuthErrors.Problem(status, code, message, OpenIddict.Abstractions.OpenIddictConstants.Errors.InvalidRequest);
}
