using System.Text.Json.Nodes;

namespace OpenMcpChain.Tests.Fuzz;

/// <summary>Edits a JSON document at a dotted path with [index] steps, as the corpus' bundle edits name them.</summary>
public static class JsonEdits
{
    /// <summary>
    /// Puts <paramref name="json"/> (raw JSON) at <paramref name="path"/> of a copy of <paramref name="document"/>; "delete"
    /// removes the member, and SIG_FF stands for the attestation's own signature with its last byte (v) made ff.
    /// </summary>
    public static JsonNode Apply(JsonNode document, string path, string json)
    {
        var copy = document.DeepClone();
        var steps = path.Replace("[", ".[").Split('.');
        var parent = copy;
        foreach (var step in steps[..^1]) parent = (step.StartsWith('[') ? parent[int.Parse(step[1..^1])] : parent[step])!;
        var last = steps[^1];
        var value = json switch
        {
            "delete" => null,
            "SIG_FF" => JsonValue.Create(copy["attestation"]!["signature"]!.GetValue<string>()[..^2] + "ff"),
            _ => JsonNode.Parse(json),
        };
        if (last.StartsWith('[')) parent[int.Parse(last[1..^1])] = value;
        else if (json == "delete") parent.AsObject().Remove(last);
        else parent[last] = value;
        return copy;
    }
}
