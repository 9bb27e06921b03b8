using System.Globalization;
using System.Text.Json;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using OpenMcpChain.ChainService.Errors;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.ChainService.Tools;

/// <summary>
/// Wraps every MCP tool call. Arguments are read forgivingly where a person would expect it (a JSON number for a string
/// parameter, as the MCP Inspector sends <c>amount=0.001</c>, is taken as its text); a missing or mistyped argument is
/// <see cref="ChainErrorCodes.InvalidArgument"/> naming its field; and every failure answers an error result whose
/// structured content is the <see cref="ChainToolError"/>, with a text block for people.
/// </summary>
public static class ToolCallFilter
{
    public static McpRequestHandler<CallToolRequestParams, CallToolResult> Apply(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        async (request, ct) =>
        {
            try
            {
                if (request.MatchedPrimitive is McpServerTool tool && request.Params is { } call)
                    call.Arguments = Check(tool.ProtocolTool.InputSchema, call.Arguments);
                return await next(request, ct);
            }
            catch (ChainToolException e)
            {
                return ErrorResult(e.Error);
            }
        };

    public static CallToolResult ErrorResult(ChainToolError error) => new()
    {
        IsError = true,
        Content = [new TextContentBlock { Text = $"{error.Code}: {error.Message}" }],
        StructuredContent = JsonSerializer.SerializeToElement(error, OpenMcpChainJson.Options),
    };

    /// <summary>The arguments checked against the tool's input schema: required ones present, each of its type (coerced where harmless).</summary>
    private static IDictionary<string, JsonElement>? Check(JsonElement schema, IDictionary<string, JsonElement>? arguments)
    {
        var given = arguments ?? new Dictionary<string, JsonElement>();
        if (schema.TryGetProperty("required", out var required))
        {
            foreach (var name in required.EnumerateArray().Select(r => r.GetString()!))
                if (!given.TryGetValue(name, out var value) || value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
                    throw Arguments.Invalid(name, $"{name} is required.");
        }
        if (!schema.TryGetProperty("properties", out var properties)) return arguments;
        Dictionary<string, JsonElement>? coerced = null;
        foreach (var (name, value) in given)
        {
            if (!properties.TryGetProperty(name, out var property) || value.ValueKind == JsonValueKind.Null) continue;
            var types = TypesOf(property);
            if (types.Count == 0) continue;
            var fitted = Fit(value, types) ?? throw Arguments.Invalid(name, $"{name} must be {string.Join(" or ", types.Where(t => t != "null"))}.");
            if (fitted.ValueKind != value.ValueKind) (coerced ??= new(given))[name] = fitted;
        }
        return coerced ?? arguments;
    }

    private static List<string> TypesOf(JsonElement property) =>
        !property.TryGetProperty("type", out var type) ? []
        : type.ValueKind == JsonValueKind.Array ? [.. type.EnumerateArray().Select(t => t.GetString()!)]
        : [type.GetString()!];

    /// <summary>The value as one of the schema's types, or null when it cannot be one.</summary>
    private static JsonElement? Fit(JsonElement value, List<string> types)
    {
        var kind = value.ValueKind;
        if (types.Any(t => Is(kind, value, t))) return value;
        var text = kind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
        foreach (var type in types)
        {
            switch (type)
            {
                case "string" when kind is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                    return JsonSerializer.SerializeToElement(text);
                case "integer" when kind == JsonValueKind.String && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n):
                    return JsonSerializer.SerializeToElement(n);
                case "number" when kind == JsonValueKind.String && decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d):
                    return JsonSerializer.SerializeToElement(d);
                case "boolean" when kind == JsonValueKind.String && bool.TryParse(text, out var b):
                    return JsonSerializer.SerializeToElement(b);
            }
        }
        return null;
    }

    private static bool Is(JsonValueKind kind, JsonElement value, string type) => type switch
    {
        "string" => kind == JsonValueKind.String,
        "integer" => kind == JsonValueKind.Number && value.TryGetInt64(out _),
        "number" => kind == JsonValueKind.Number,
        "boolean" => kind is JsonValueKind.True or JsonValueKind.False,
        "array" => kind == JsonValueKind.Array,
        "object" => kind == JsonValueKind.Object,
        "null" => kind == JsonValueKind.Null,
        _ => true,
    };
}
