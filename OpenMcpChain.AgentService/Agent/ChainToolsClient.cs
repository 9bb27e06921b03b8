using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using OpenMcpChain.AgentService.Infrastructure;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.AgentService.Agent;

/// <summary>
/// ChainService's MCP tools for the tasks of this process: the tool list, kept between tasks, and per task a
/// <see cref="ChainSession"/> whose MCP sessions open when a call first needs them.
/// </summary>
public sealed class ChainToolsClient(IHttpClientFactory httpClients, Microsoft.Extensions.Options.IOptions<AgentOptions> options, ILoggerFactory loggers)
{
    public const string HttpClientName = "chain-mcp";
    /// <summary>The client of write tool calls: an attempt outlasts ChainService's wait for a receipt (<see cref="AgentOptions.ToolWriteTimeout"/>).</summary>
    public const string WriteHttpClientName = "chain-mcp-writes";
    /// <summary>How long a tool list is used before it is listed again (sooner when a session meets another server version).</summary>
    private static readonly TimeSpan ToolListFor = TimeSpan.FromMinutes(5);

    private volatile Listed? _listed;

    /// <summary>The tools as a server listed them, the server's name and version, and until when they are used.</summary>
    private sealed record Listed(string Server, IReadOnlyList<Tool> Tools, long Until);

    /// <summary>The chain tools of one task's run; nothing is opened until a call needs it.</summary>
    public ChainSession Open(AgentTask task) => new(this, task);

    /// <summary>
    /// The tools ChainService offers: listed once and reused by the following tasks (the list only changes with a new
    /// deployment of ChainService, whose version a session's handshake shows; <see cref="Seen"/> drops the list then).
    /// </summary>
    internal async Task<IReadOnlyList<Tool>> ToolsAsync(ChainSession session, CancellationToken ct)
    {
        if (_listed is { } listed && Environment.TickCount64 < listed.Until) return listed.Tools;
        var reads = await session.ReadsAsync(ct);
        var tools = (await reads.ListToolsAsync(cancellationToken: ct)).Select(t => t.ProtocolTool).ToList();
        _listed = new Listed(ServerOf(reads), tools, Environment.TickCount64 + (long)ToolListFor.TotalMilliseconds);
        return tools;
    }

    /// <summary>
    /// A session that acts for <paramref name="task"/>: ChainService counts its writes against that task's budget, and an
    /// approval request it parks shows the task's goal and who submitted it (the goal base64url-encoded UTF-8, as headers
    /// carry ASCII only). A session for <paramref name="writes"/> goes through the client whose calls may wait for a receipt.
    /// </summary>
    internal async Task<McpClient> ConnectAsync(AgentTask task, bool writes, CancellationToken ct)
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
        var client = await McpClient.CreateAsync(transport, new McpClientOptions(), loggers, ct);
        Seen(client);
        return client;
    }

    /// <summary>A session with another server version than the one the tools were listed from: list them again next time.</summary>
    private void Seen(McpClient client)
    {
        if (_listed is { } listed && listed.Server != ServerOf(client)) _listed = null;
    }

    private static string ServerOf(McpClient client) => $"{client.ServerInfo?.Name}/{client.ServerInfo?.Version}";
}

/// <summary>
/// One task's run against ChainService: a read session and, for writes, a session of its own whose HTTP client waits
/// out a receipt (reads keep short timeouts). Each opens at its first call, so a run that reads only never opens the
/// write session and one that calls no tool opens none.
/// </summary>
public sealed class ChainSession(ChainToolsClient client, AgentTask task) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private McpClient? _reads;
    private McpClient? _writes;

    /// <summary>The tools of the run (<paramref name="allowed"/> by its profile, if any), each calling through this run's sessions.</summary>
    public async Task<List<AIFunction>> ToolsAsync(IReadOnlySet<string>? allowed, CancellationToken ct) =>
        [.. (await client.ToolsAsync(this, ct)).Where(t => allowed is null || allowed.Contains(t.Name))
            .Select(t => new SessionTool(this, t, TaskTool.WriteTools.Contains(t.Name)))];

    internal Task<McpClient> ReadsAsync(CancellationToken ct) => SessionAsync(writes: false, ct);

    private async Task<McpClient> SessionAsync(bool writes, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            return writes ? _writes ??= await client.ConnectAsync(task, writes: true, ct) : _reads ??= await client.ConnectAsync(task, writes: false, ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The chain id and latest block, read through the same tool the agent uses.</summary>
    public async Task<(long ChainId, long BlockNumber)> ChainContextAsync(string? network, CancellationToken ct)
    {
        var args = new Dictionary<string, object?>();
        if (!string.IsNullOrWhiteSpace(network))
        {
            args["network"] = network;
        }
        var result = await (await ReadsAsync(ct)).CallToolAsync("get_chain_info", args, cancellationToken: ct);
        if (result.IsError == true)
        {
            var error = ChainToolError.From(result.StructuredContent)
                        ?? new ChainToolError(ErrorCodes.ToolFailed, string.Join(" ", result.Content.OfType<TextContentBlock>().Select(t => t.Text)));
            throw new AgentFailure(error.Code, $"Reading the chain failed: {error.Message}", transient: error.Code == ChainErrorCodes.RpcUnavailable);
        }
        var info = result.StructuredContent ?? throw new AgentFailure(ErrorCodes.ToolFailed, "get_chain_info answered no structured content.", transient: false);
        return (info.GetProperty("chain_id").GetInt64(), info.GetProperty("block_number").GetInt64());
    }

    public async ValueTask DisposeAsync()
    {
        if (_reads is not null) await _reads.DisposeAsync();
        if (_writes is not null) await _writes.DisposeAsync();
        _gate.Dispose();
    }

    /// <summary>A listed tool called through its session of the run (the write session for a write), opened on first use.</summary>
    private sealed class SessionTool(ChainSession session, Tool tool, bool write) : AIFunction
    {
        public override string Name => tool.Name;
        public override string Description => tool.Description ?? "";
        public override JsonElement JsonSchema => tool.InputSchema;
        public override JsonElement? ReturnJsonSchema => tool.OutputSchema;

        protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken ct) =>
            await new McpClientTool(await session.SessionAsync(write, ct), tool).InvokeAsync(arguments, ct);
    }
}
