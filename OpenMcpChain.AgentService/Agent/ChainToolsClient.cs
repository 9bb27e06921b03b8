using System.Buffers.Text;
using System.Text;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using OpenMcpChain.AgentService.Infrastructure;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.AgentService.Agent;

/// <summary>Opens an MCP session with ChainService for one task: its tools, and the chain context the task ran against.</summary>
public sealed class ChainToolsClient(IHttpClientFactory httpClients, Microsoft.Extensions.Options.IOptions<AgentOptions> options, ILoggerFactory loggers)
{
    public const string HttpClientName = "chain-mcp";
    /// <summary>The client of write tool calls: an attempt outlasts ChainService's wait for a receipt (<see cref="AgentOptions.ToolWriteTimeout"/>).</summary>
    public const string WriteHttpClientName = "chain-mcp-writes";

    /// <summary>
    /// A session that acts for <paramref name="task"/>: ChainService counts its writes against that task's budget, and an
    /// approval request it parks shows the task's goal and who submitted it (the goal base64url-encoded UTF-8, as headers
    /// carry ASCII only). A session for <paramref name="writes"/> goes through the client whose calls may wait for a receipt.
    /// </summary>
    public async Task<McpClient> ConnectAsync(AgentTask task, CancellationToken ct, bool writes = false)
    {
        var headers = new Dictionary<string, string>
        {
            ["Authorization"] = $"Bearer {options.Value.ChainApiKey}",
            ["X-Task-Id"] = task.Id,
            ["X-Task-Goal"] = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(task.Goal)),
        };
        if (task.SubmittedBy is { Length: > 0 } submitter) headers["X-Task-Submitter"] = submitter;
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(options.Value.ChainMcpEndpoint),
            TransportMode = HttpTransportMode.StreamableHttp,
            Name = "chainservice",
            AdditionalHeaders = headers,
        }, httpClients.CreateClient(writes ? WriteHttpClientName : HttpClientName), loggers, ownsHttpClient: true);
        return await McpClient.CreateAsync(transport, new McpClientOptions(), loggers, ct);
    }

    /// <summary>The chain id and latest block, read through the same tool the agent uses.</summary>
    public static async Task<(long ChainId, long BlockNumber)> GetChainContextAsync(McpClient client, string? network, CancellationToken ct)
    {
        var args = new Dictionary<string, object?>();
        if (!string.IsNullOrWhiteSpace(network))
        {
            args["network"] = network;
        }
        var result = await client.CallToolAsync("get_chain_info", args, cancellationToken: ct);
        if (result.IsError == true)
        {
            var error = ChainToolError.From(result.StructuredContent)
                        ?? new ChainToolError(ErrorCodes.ToolFailed, string.Join(" ", result.Content.OfType<TextContentBlock>().Select(t => t.Text)));
            throw new AgentFailure(error.Code, $"Reading the chain failed: {error.Message}", transient: error.Code == ChainErrorCodes.RpcUnavailable);
        }
        var info = result.StructuredContent ?? throw new AgentFailure(ErrorCodes.ToolFailed, "get_chain_info answered no structured content.", transient: false);
        return (info.GetProperty("chain_id").GetInt64(), info.GetProperty("block_number").GetInt64());
    }
}
