using System.Text.Json;

namespace OpenMcpChain.Sdk.Proofs;

/// <summary>Reads untrusted JSON text once and strictly (no repeated names, bounded depth), so a checker never meets a parse error later.</summary>
internal static class StrictJson
{
    private static readonly JsonDocumentOptions Options = new() { AllowDuplicateProperties = false, MaxDepth = 64 };

    /// <summary>The JSON object <paramref name="text"/> holds, or null when it holds anything else or is not JSON.</summary>
    public static JsonElement? Object(string? text)
    {
        if (text is null) return null;
        try
        {
            using var document = JsonDocument.Parse(text, Options);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The string member <paramref name="name"/> of an object, or null when it is missing or not a string.</summary>
    public static string? StringMember(this JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
