using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using OpenMcpChain.AgentService.Infrastructure;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.AgentService.Agent;

/// <summary>
/// ChainService's MCP tools for the tasks of this process: one MCP session for reads and one for writes, opened at their
/// first call and shared by every task (each call names its task in its <c>_meta</c>, <see cref="ChainToolMeta"/>), and the
/// tool list, kept between tasks. A task's run no longer pays a session's handshake.
/// </summary>
public sealed class ChainToolsClient(IHttpClientFactory httpClients, Microsoft.Extensions.Options.IOptions<AgentOptions> options, ILoggerFactory loggers)
    : IAsyncDisposable
{
    public const string HttpClientName = "chain-mcp";
    /// <summary>The client of write tool calls: an attempt outlasts ChainService's wait for a receipt (<see cref="AgentOptions.ToolWriteTimeout"/>).</summary>
    public const string WriteHttpClientName = "chain-mcp-writes";
    /// <summary>How long a tool list is used before it is listed again (sooner when a new session meets another server version).</summary>
    private static readonly TimeSpan ToolListFor = TimeSpan.FromMinutes(5);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private McpClient? _reads;
    private McpClient? _writes;
    private volatile Listed? _listed;

    /// <summary>The tools as a server listed them, the server's name and version, and until when they are used.</summary>
    private sealed record Listed(string Server, IReadOnlyList<Tool> Tools, long Until);

    /// <summary>The chain tools of one task's run.</summary>
    public ChainSession Open(AgentTask task) => new(this, task);

    /// <summary>
    /// The tools ChainService offers: listed once and reused by the following tasks (the list only changes with a new
    /// deployment of ChainService, whose version a new session's handshake shows; <see cref="Seen"/> drops the list then).
    /// </summary>
    internal async Task<IReadOnlyList<Tool>> ToolsAsync(CancellationToken ct)
    {
        if (_listed is { } listed && Environment.TickCount64 < listed.Until) return listed.Tools;
        return await CallAsync(writes: false, async reads =>
        {
            IReadOnlyList<Tool> tools = [.. (await reads.ListToolsAsync(cancellationToken: ct)).Select(t => t.ProtocolTool)];
            _listed = new Listed(ServerOf(reads), tools, Environment.TickCount64 + (long)ToolListFor.TotalMilliseconds);
            return tools;
        }, ct);
    }

    /// <summary>
    /// Makes <paramref name="call"/> on this process's session for reads or for <paramref name="writes"/>, opening it first if
    /// needed. A session whose server did not answer is dropped, so the next call opens a new one.
    /// </summary>
    internal async Task<T> CallAsync<T>(bool writes, Func<McpClient, Task<T>> call, CancellationToken ct)
    {
        var session = await SessionAsync(writes, ct);
        try
        {
            return await call(session);
        }
        catch (Exception e) when (AgentRunner.IsUnreachable(e))
        {
            Drop(session);
            throw;
        }
    }

    private async Task<McpClient> SessionAsync(bool writes, CancellationToken ct)
    {
        if (Volatile.Read(ref writes ? ref _writes : ref _reads) is { } open) return open;
        await _gate.WaitAsync(ct);
        try
        {
            if ((writes ? _writes : _reads) is { } opened) return opened;
            var session = await ConnectAsync(writes, ct);
            if (writes) Volatile.Write(ref _writes, session);
            else Volatile.Write(ref _reads, session);
            return session;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Forgets a session that failed; it is disposed once the calls other tasks may still have on it are over (a write's
    /// attempt is the longest).
    /// </summary>
    private void Drop(McpClient session)
    {
        if (Interlocked.CompareExchange(ref _reads, null, session) != session && Interlocked.CompareExchange(ref _writes, null, session) != session) return;
        _ = DisposeLaterAsync();

        async Task DisposeLaterAsync()
        {
            await Task.Delay(options.Value.ToolWriteTimeout * 2);
            await session.DisposeAsync();
        }
    }

    /// <summary>
    /// A session as this service, the agent (its API key); the task each call works for is in the call's <c>_meta</c>. A
    /// session for <paramref name="writes"/> goes through the client whose calls may wait for a receipt.
    /// </summary>
    private async Task<McpClient> ConnectAsync(bool writes, CancellationToken ct)
    {
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(options.Value.ChainMcpEndpoint),
            TransportMode = HttpTransportMode.StreamableHttp,
            Name = "chainservice",
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = $"Bearer {options.Value.ChainApiKey}" },
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

    public async ValueTask DisposeAsync()
    {
        if (_reads is not null) await _reads.DisposeAsync();
        if (_writes is not null) await _writes.DisposeAsync();
        _gate.Dispose();
    }
}

/// <summary>
/// One task's run against ChainService: its calls go through the process's sessions (reads keep short timeouts, writes
/// wait out a receipt), each naming the task — ChainService counts its writes against the task's budget, and an approval
/// it parks shows the task's goal and who submitted it.
/// </summary>
public sealed class ChainSession(ChainToolsClient client, AgentTask task)
{
    /// <summary>The tools of the run (<paramref name="allowed"/> by its profile, if any), each calling for this run's task.</summary>
    public async Task<List<AIFunction>> ToolsAsync(IReadOnlySet<string>? allowed, CancellationToken ct) =>
        [.. (await client.ToolsAsync(ct)).Where(t => allowed is null || allowed.Contains(t.Name))
            .Select(t => new SessionTool(this, t, TaskTool.WriteTools.Contains(t.Name)))];

    /// <summary>The call's <c>_meta</c>: the task, and its submitter and goal (a new object per call: a JSON node has one parent).</summary>
    private JsonObject Meta()
    {
        var meta = new JsonObject { [ChainToolMeta.TaskId] = task.Id, [ChainToolMeta.TaskGoal] = task.Goal };
        if (task.SubmittedBy is { Length: > 0 } submitter) meta[ChainToolMeta.TaskSubmitter] = submitter;
        return meta;
    }

    /// <summary>The chain id and latest block, read through the same tool the agent uses.</summary>
    public async Task<(long ChainId, long BlockNumber)> ChainContextAsync(string? network, CancellationToken ct)
    {
        var args = new Dictionary<string, object?>();
        if (!string.IsNullOrWhiteSpace(network))
        {
            args["network"] = network;
        }
        var result = await client.CallAsync(writes: false, reads => reads.CallToolAsync("get_chain_info", args, options: new RequestOptions { Meta = Meta() },
            cancellationToken: ct).AsTask(), ct);
        if (result.IsError == true)
        {
            var error = ChainToolError.From(result.StructuredContent)
                        ?? new ChainToolError(ErrorCodes.ToolFailed, string.Join(" ", result.Content.OfType<TextContentBlock>().Select(t => t.Text)));
            throw new AgentFailure(error.Code, $"Reading the chain failed: {error.Message}", transient: error.Code == ChainErrorCodes.RpcUnavailable);
        }
        var info = result.StructuredContent ?? throw new AgentFailure(ErrorCodes.ToolFailed, "get_chain_info answered no structured content.", transient: false);
        return (info.GetProperty("chain_id").GetInt64(), info.GetProperty("block_number").GetInt64());
    }

    private Task<object?> CallAsync(Tool tool, bool write, AIFunctionArguments arguments, CancellationToken ct) =>
        client.CallAsync(write, mcp => new McpClientTool(mcp, tool).WithMeta(Meta()).InvokeAsync(arguments, ct).AsTask(), ct);

    /// <summary>A listed tool called for this run's task, through the process's session for writes when it is one.</summary>
    private sealed class SessionTool(ChainSession session, Tool tool, bool write) : AIFunction
    {
        public override string Name => tool.Name;
        public override string Description => tool.Description ?? "";
        public override JsonElement JsonSchema => tool.InputSchema;
        public override JsonElement? ReturnJsonSchema => tool.OutputSchema;

        protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken ct) =>
            await session.CallAsync(tool, write, arguments, ct);
    }
}
