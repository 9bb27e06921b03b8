using System.Text.Json;
using ModelContextProtocol.Client;

namespace OpenMcpChain.AgentService.Agent;

/// <summary>Opens an MCP session with ChainService for one task: its tools, and the chain context the task ran against.</summary>
public sealed class ChainToolsClient(IHttpClientFactory httpClients, Microsoft.Extensions.Options.IOptions<AgentOptions> options, ILoggerFactory loggers)
{
    public const string HttpClientName = "chain-mcp";

    /// <summary>A session that acts for <paramref name="taskId"/>: ChainService counts its writes against that task's budget.</summary>
    public async Task<McpClient> ConnectAsync(string taskId, CancellationToken ct)
    {
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(options.Value.ChainMcpEndpoint),
            TransportMode = HttpTransportMode.StreamableHttp,
            Name = "chainservice",
            AdditionalHeaders = new Dictionary<string, string>
            {
                ["Authorization"] = $"Bearer {options.Value.ChainApiKey}",
                ["X-Task-Id"] = taskId,
            },
        }, httpClients.CreateClient(HttpClientName), loggers, ownsHttpClient: true);
        return await McpClient.CreateAsync(transport, new McpClientOptions(), loggers, ct);
    }

    /// <summary>The stable code in a tool error's text ("… CODE: message"), or TOOL_FAILED.</summary>
    public static string ErrorCode(string text) =>
        System.Text.RegularExpressions.Regex.Match(text, @"\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+): ") is { Success: true } m ? m.Groups[1].Value : "TOOL_FAILED";

    /// <summary>The chain id and latest block, read through the same tool the agent uses.</summary>
    public static async Task<(long ChainId, long BlockNumber)> GetChainContextAsync(McpClient client, string? network, CancellationToken ct)
    {
        var args = new Dictionary<string, object?>();
        if (!string.IsNullOrWhiteSpace(network))
        {
            args["network"] = network;
        }
        var result = await client.CallToolAsync("get_chain_info", args, cancellationToken: ct);
        var text = result.Content.OfType<ModelContextProtocol.Protocol.TextContentBlock>().FirstOrDefault()?.Text ?? "";
        if (result.IsError == true)
        {
            var code = ErrorCode(text);
            throw new AgentFailure(code, $"Reading the chain failed: {text}", transient: code == "RPC_UNAVAILABLE");
        }
        var info = result.StructuredContent is { } structured
            ? structured.Deserialize<JsonElement>()
            : JsonDocument.Parse(text).RootElement;
        return (info.GetProperty("chain_id").GetInt64(), info.GetProperty("block_number").GetInt64());
    }
}
