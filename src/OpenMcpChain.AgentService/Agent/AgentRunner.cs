using System.ClientModel;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using OpenMcpChain.AgentService.Infrastructure;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.AgentService.Agent;

/// <summary>Runs one task: the model plans and calls ChainService's MCP tools, then ProofService signs the outcome.</summary>
public sealed class AgentRunner(
    IChatClient chat, ChainToolsClient chainTools, ProofClient proofs, IOptions<AgentOptions> options, ILogger<AgentRunner> logger)
{
    private const string SystemPrompt =
        """
        You are the OpenMCP-Chain agent. Answer the user's request about a blockchain by calling the tools you are given;
        never invent chain data. When you have what you need, answer with one JSON object and nothing else:
        {"thought": "<one sentence on how you got the answer>", "reply": "<the answer for the user>"}
        """;

    public async Task<TaskResult> RunAsync(AgentTask task, CancellationToken ct)
    {
        await using var mcp = await Guard("TOOLS_UNAVAILABLE", "ChainService's MCP endpoint", () => chainTools.ConnectAsync(task.Id, ct));
        var tools = await Guard("TOOLS_UNAVAILABLE", "ChainService's MCP endpoint", () => mcp.ListToolsAsync(cancellationToken: ct).AsTask());
        var (chainId, blockNumber) = await Guard("TOOLS_UNAVAILABLE", "ChainService's MCP endpoint",
            () => ChainToolsClient.GetChainContextAsync(mcp, task.Network, ct));

        List<ChatMessage> messages = [new(ChatRole.System, SystemPrompt), new(ChatRole.User, DescribeTask(task))];
        var chatOptions = new ChatOptions { Tools = StepKeyedTool.ForTask(tools, task.Id), ToolMode = ChatToolMode.Auto, ModelId = options.Value.Model };
        var response = await Guard(ErrorCodes.LlmUnavailable, "the model (llm-bridge)", () => chat.GetResponseAsync(messages, chatOptions, ct));

        var (thought, reply) = ParseAnswer(response.Text);
        logger.LogInformation("Task {TaskId} answered after {ToolCalls} tool calls",
            task.Id, response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Count());
        var observations = CollectObservations(response.Messages);
        // A write the policy gate refused ends the task with the gate's code; nothing was sent for it.
        if (observations.FirstOrDefault(o => o.IsError && StepKeyedTool.WriteTools.Contains(o.Tool)
                                             && ChainToolsClient.ErrorCode(o.Output).StartsWith("POLICY_", StringComparison.Ordinal)) is { } denied)
            throw new AgentFailure(ChainToolsClient.ErrorCode(denied.Output), $"{denied.Tool} was refused: {denied.Output}", transient: false);
        var result = new TaskResult
        {
            Thought = thought,
            Reply = reply,
            ChainId = chainId,
            BlockNumber = blockNumber,
            Observations = observations,
        };
        var provenance = await proofs.AttestAsync(task.Id, task.Goal, result, ct);
        return result with { Provenance = provenance };
    }

    private static string DescribeTask(AgentTask task)
    {
        var text = new StringBuilder(task.Goal.Trim());
        if (!string.IsNullOrEmpty(task.Address)) text.Append($"\nAddress: {task.Address}");
        if (!string.IsNullOrEmpty(task.ChainAction)) text.Append($"\nRequested action: {task.ChainAction}");
        if (!string.IsNullOrEmpty(task.Network)) text.Append($"\nNetwork: {task.Network}");
        return text.ToString();
    }

    /// <summary>The model answers {"thought","reply"}; a model that answers in prose still gets its text through as the reply.</summary>
    internal static (string Thought, string Reply) ParseAnswer(string text)
    {
        var trimmed = text.Trim();
        var start = trimmed.IndexOf('{');
        var end = trimmed.LastIndexOf('}');
        if (start >= 0 && end > start)
        {
            try
            {
                using var doc = JsonDocument.Parse(trimmed[start..(end + 1)]);
                if (doc.RootElement.TryGetProperty("reply", out var reply))
                {
                    var thought = doc.RootElement.TryGetProperty("thought", out var t) ? t.GetString() ?? "" : "";
                    return (thought, reply.GetString() ?? "");
                }
            }
            catch (JsonException)
            {
            }
        }
        return ("", trimmed);
    }

    private static List<Observation> CollectObservations(IEnumerable<ChatMessage> messages)
    {
        var contents = messages.SelectMany(m => m.Contents).ToList();
        var results = contents.OfType<FunctionResultContent>().ToDictionary(r => r.CallId);
        return contents.OfType<FunctionCallContent>().Select(call =>
        {
            var (output, isError) = results.TryGetValue(call.CallId, out var r) ? Render(r) : ("", true);
            return new Observation(call.Name, JsonSerializer.SerializeToElement(call.Arguments ?? new Dictionary<string, object?>()), output, isError);
        }).ToList();
    }

    /// <summary>An MCP tool result as the caller needs it: its structured content (or text), and whether the tool failed.</summary>
    private static (string Output, bool IsError) Render(FunctionResultContent result)
    {
        if (result.Exception is { } e)
        {
            return (e.Message, true);
        }
        if (result.Result is not JsonElement { ValueKind: JsonValueKind.Object } element)
        {
            return (result.Result?.ToString() ?? "", false);
        }
        var isError = element.TryGetProperty("isError", out var flag) && flag.ValueKind == JsonValueKind.True;
        if (!isError && element.TryGetProperty("structuredContent", out var structured))
        {
            return (JsonSerializer.Serialize(structured, OpenMcpChainJson.Options), false);
        }
        var text = element.TryGetProperty("content", out var blocks) && blocks.ValueKind == JsonValueKind.Array
            ? string.Join("\n", blocks.EnumerateArray()
                .Where(b => b.TryGetProperty("text", out _))
                .Select(b => b.GetProperty("text").GetString()))
            : element.GetRawText();
        return (text, isError);
    }

    /// <summary>Turns an unreachable dependency into a transient, coded failure (retried), and lets everything else through.</summary>
    private static async Task<T> Guard<T>(string code, string what, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (e is HttpRequestException or ClientResultException or TimeoutException
                                      or ModelContextProtocol.McpException or IOException
                                  && e is not ModelContextProtocol.McpProtocolException)
        {
            throw new AgentFailure(code, $"{what} failed: {e.Message}", transient: true, e);
        }
    }
}
