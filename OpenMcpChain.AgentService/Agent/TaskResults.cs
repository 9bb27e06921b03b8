using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.AgentService.Agent;

/// <summary>A task result as the original daemon's clients read it, and as it is stored (<c>AgentTask.ResultJson</c>).</summary>
public static class TaskResults
{
    /// <summary>The readable <c>observations</c>: one line per tool call with its arguments and what came back.</summary>
    public static string Describe(IReadOnlyList<ToolCall> calls)
    {
        if (calls.Count == 0) return "No chain tools were called.";
        var text = new StringBuilder();
        foreach (var call in calls)
        {
            if (text.Length > 0) text.Append('\n');
            text.Append(call.Tool).Append('(').Append(call.Arguments.ValueKind == JsonValueKind.Undefined ? "{}" : call.Arguments.GetRawText())
                .Append(call.IsError ? ") failed: " : ") returned: ").Append(call.Output);
        }
        return text.ToString();
    }

    public static string Serialize(TaskResult result) => JsonSerializer.Serialize(result, OpenMcpChainJson.Options);

    /// <summary>
    /// Reads a stored result. Results stored before the v1 contract took the original's types (tool calls under
    /// <c>observations</c>, numeric <c>chain_id</c>/<c>block_number</c>) are read into the current shape; their
    /// attestation keeps the form that was signed (<c>provenance.message</c>).
    /// </summary>
    public static TaskResult? Read(string? json)
    {
        if (json is null) return null;
        if (JsonNode.Parse(json) is not JsonObject stored) return null;
        var legacy = stored["observations"] is JsonArray;
        if (legacy)
        {
            var calls = stored["observations"]!;
            stored.Remove("observations");
            stored["tool_calls"] = calls;
        }
        foreach (var name in (string[])["chain_id", "block_number"])
        {
            if (stored[name] is JsonValue value && value.GetValueKind() == JsonValueKind.Number)
                stored[name] = HexQuantity.Format(value.GetValue<long>());
        }
        var result = stored.Deserialize<TaskResult>(OpenMcpChainJson.Options)!;
        return legacy ? result with { Observations = Describe(result.ToolCalls) } : result;
    }
}
