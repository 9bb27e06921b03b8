using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Says what is wrong with a JSON request body in the API's terms: the field as the API spells it (<c>entries[0].leaf_hash</c>)
/// and the kind of JSON value it takes, found by walking the route's body type along the error's JSON path.
/// </summary>
internal static class JsonBodyErrors
{
    public static string Describe(JsonException error, HttpContext context)
    {
        var where = error.LineNumber is { } line ? $" (line {line + 1}, byte {error.BytePositionInLine + 1})" : "";
        // The reader's own errors come wrapped: the text is not JSON at all, or nests too deep to read.
        if (error.InnerException is JsonException || error.Path is not { } path)
            return $"The request body is not JSON this API can read (malformed, or nested deeper than 64 levels){where}.";
        var segments = Segments(path);
        var expected = Expected(context, segments) ?? "a value of the documented type";
        return segments.Count == 0
            ? $"The JSON request body must be {expected}{where}."
            : $"{string.Concat(segments.Select((s, i) => s.StartsWith('[') || i == 0 ? s : "." + s))} in the JSON request body must be {expected}{where}.";
    }

    /// <summary>The JSON kind a .NET type binds from, in words; null when any JSON value would do.</summary>
    private static string? Kind(JsonTypeInfo info)
    {
        var type = Nullable.GetUnderlyingType(info.Type) ?? info.Type;
        if (type == typeof(string)) return "a string";
        if (type == typeof(bool)) return "true or false";
        if (type == typeof(int)) return $"an integer from {int.MinValue} to {int.MaxValue}";
        if (type == typeof(long)) return $"an integer from {long.MinValue} to {long.MaxValue}";
        if (type == typeof(double) || type == typeof(decimal) || type == typeof(float)) return "a number";
        if (type.IsPrimitive || type.IsEnum || type == typeof(Guid) || type == typeof(DateTimeOffset) || type == typeof(DateTime)) return "a string or number of the documented form";
        if (type == typeof(JsonObject)) return "an object";
        if (type == typeof(JsonArray)) return "an array";
        if (type == typeof(JsonElement) || type == typeof(JsonNode) || type == typeof(object)) return null;
        return info.Kind switch
        {
            JsonTypeInfoKind.Enumerable => "an array",
            JsonTypeInfoKind.Dictionary => "an object",
            JsonTypeInfoKind.Object when info.Properties.Where(p => p.IsRequired).Select(p => p.Name).ToList() is { Count: > 0 } required =>
                $"an object with {string.Join(", ", required)}",
            JsonTypeInfoKind.Object => "an object",
            _ => null,
        };
    }

    /// <summary>The kind of value at <paramref name="segments"/> inside the route's body type, or null when unknown.</summary>
    private static string? Expected(HttpContext context, List<string> segments)
    {
        // The exception handler has cleared the request's endpoint by now; its feature keeps the one that threw.
        var endpoint = context.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? context.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType is not { } bodyType) return null;
        var options = context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        JsonTypeInfo? info = options.GetTypeInfo(bodyType);
        foreach (var segment in segments)
        {
            var type = segment.StartsWith('[') && !segment.StartsWith("['")
                ? info?.Kind == JsonTypeInfoKind.Enumerable ? info.ElementType : null
                : info?.Kind switch
                {
                    JsonTypeInfoKind.Dictionary => info.ElementType,
                    JsonTypeInfoKind.Object => info.Properties.FirstOrDefault(p => string.Equals(p.Name, Name(segment), StringComparison.OrdinalIgnoreCase))?.PropertyType,
                    _ => null,
                };
            info = type is null ? null : options.GetTypeInfo(type);
        }
        return info is null ? null : Kind(info);
    }

    /// <summary>"$.entries[0]['odd name']" → ["entries", "[0]", "['odd name']"].</summary>
    private static List<string> Segments(string path)
    {
        var segments = new List<string>();
        var i = path.StartsWith('$') ? 1 : 0;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                segments.Add(path[(i + 1)..(end < 0 ? path.Length : end)]);
                i = end < 0 ? path.Length : end;
            }
            else if (path[i] == '[')
            {
                var end = path.AsSpan(i).StartsWith("['") ? path.IndexOf("']", i + 2, StringComparison.Ordinal) : path.IndexOf(']', i);
                end = end < 0 ? path.Length : end + (path[end] == '\'' ? 2 : 1);
                segments.Add(path[i..end]);
                i = end;
            }
            else i++;
        }
        return segments;
    }

    private static string Name(string segment) => segment.StartsWith("['") && segment.EndsWith("']") ? segment[2..^2] : segment;
}
