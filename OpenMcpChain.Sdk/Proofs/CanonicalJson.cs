using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenMcpChain.Sdk.Proofs;

/// <summary>One byte-exact JSON form for a value: object keys sorted by ordinal, no insignificant whitespace, minimal escaping.</summary>
public static class CanonicalJson
{
    private static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Serialize(JsonNode? node) => Canonicalize(node)?.ToJsonString(Options) ?? "null";

    private static JsonNode? Canonicalize(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Key, Canonicalize(p.Value)))),
        JsonArray array => new JsonArray([.. array.Select(Canonicalize)]),
        JsonValue value => JsonNode.Parse(value.ToJsonString()),
        _ => null,
    };
}
