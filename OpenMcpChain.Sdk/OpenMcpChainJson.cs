using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace OpenMcpChain.Sdk;

/// <summary>The JSON conventions of the public API: snake_case names, nulls omitted.</summary>
public static class OpenMcpChainJson
{
    public static JsonSerializerOptions Options { get; } = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>Applies the API conventions to <paramref name="options"/> (used by the services too).</summary>
    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.TypeInfoResolver ??= new DefaultJsonTypeInfoResolver();
        // Readable JSON: quotes and non-ASCII text stay as they are (still valid JSON; bodies are never embedded in HTML).
        options.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        return options;
    }
}
