using System.ClientModel;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using Microsoft.EntityFrameworkCore;
using ModelContextProtocol.Client;
using OpenMcpChain.AgentService.Infrastructure;
using OpenMcpChain.AgentService.Progress;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.AgentService.Agent;

/// <summary>
/// Runs one task under its profile: earlier turns of its session as context, the model plans and calls ChainService's
/// MCP tools (each call and each model turn a recorded step), then ProofService signs the outcome. The shared model
/// client (from DI) gets the run's own layers around it: the tool loop and the recording of each turn.
/// </summary>
public sealed class AgentRunner(
    IChatClient chat, ChainToolsClient chainTools, ProofClient proofs, AgentDbContext db, IServiceScopeFactory scopes,
    TaskProgress progress, IOptions<AgentOptions> options, IOptions<ChainNetworks> networks, ILoggerFactory loggers, ILogger<AgentRunner> logger)
{
    private const int SessionTurns = 5;
    private const int SessionChars = 4000;
    // A backstop: profiles bound the tool calls of a run far below this.
    private const int MaxModelTurns = 50;

    public async Task<TaskResult> RunAsync(AgentTask task, CancellationToken ct)
    {
        var profile = await db.Profiles.AsNoTracking().SingleOrDefaultAsync(p => p.Name == (task.Profile ?? AgentProfile.Default), ct)
                      ?? throw new AgentFailure(ErrorCodes.ProfileNotFound, $"Profile '{task.Profile}' does not exist.", transient: false);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(profile.TaskTimeoutSeconds));
        ct = deadline.Token;

        // A signed outcome is final: an earlier attempt that was sealed but not recorded (its worker died in between) is
        // the task's result, never run again. Only a later attempt can find one, so the first costs no extra call.
        if (task.Attempts > 1 && await proofs.GetProvenanceAsync(task.Id, ct) is { Log: not null } sealedOutcome)
        {
            logger.LogInformation("Task {TaskId} was already attested; attempt {Attempt} takes its sealed outcome", task.Id, task.Attempts);
            return ProofClient.SealedResult(sealedOutcome);
        }
        var recorder = new StepRecorder(task.Id, task.Attempts, scopes, proofs, progress, logger);
        return await RunAsync(task, profile, new TaskRun(task.Id, profile.Name, profile.MaxSteps, recorder, scopes), ct);
    }

    private async Task<TaskResult> RunAsync(AgentTask task, AgentProfile profile, TaskRun run, CancellationToken ct)
    {
        var allowed = profile.AllowedToolsJson is null ? null : JsonSerializer.Deserialize<HashSet<string>>(profile.AllowedToolsJson);
        var chain = chainTools.Open(task);
        var tools = await Guard("TOOLS_UNAVAILABLE", "ChainService's MCP endpoint", () => chain.ToolsAsync(allowed, ct));
        // The chain the run acts on, read before its first write (a run that sends something always has it, and one that
        // cannot read it stops before sending); a run that writes nothing reads it at the end, if the model did not.
        (long ChainId, long BlockNumber)? context = null;
        Task<(long, long)> ReadContextAsync(CancellationToken token) =>
            Guard("TOOLS_UNAVAILABLE", "ChainService's MCP endpoint", () => chain.ChainContextAsync(task.Network, token));
        run.BeforeFirstWrite(async token => context = await ReadContextAsync(token));

        var chatOptions = new ChatOptions
        {
            Tools = TaskTool.ForRun(run, tools, TimeSpan.FromSeconds(profile.StepTimeoutSeconds)),
            ToolMode = ChatToolMode.Auto,
            ModelId = options.Value.ModelFor(profile),
        };
        var (messages, promptCount, answer) = await ConversationAsync(task, profile, run, chatOptions, ct);
        var response = answer is not null ? new ChatResponse(answer)
            : await Guard(ErrorCodes.LlmUnavailable, "the model (llm-bridge)", () => ForRun(run).GetResponseAsync(messages, chatOptions, ct));

        if (run.StopReason is { } stopped) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(stopped);
        // A tool that failed (not the policy gate: that stops the run) fails the task with its code, unless the model
        // made good on it; otherwise the failure would hide in a reply of a task that 'succeeded'.
        if (run.UnrecoveredFailure() is { } failed)
            throw new AgentFailure(failed.Code, $"{failed.Tool} failed: {Truncate(failed.Output, 500)}", TaskTool.IsTransient(failed.Code));
        var conversation = answer is null ? messages.Concat(response.Messages) : messages;
        var toolCalls = CollectToolCalls(conversation.Skip(promptCount));

        // The chain the answer speaks of: the model's own latest chain read if it made one, else the one read before its writes.
        var (chainId, blockNumber) = LatestChainInfo(toolCalls) ?? context ?? await ReadContextAsync(ct);
        var (thought, reply) = ParseAnswer(response.Text);
        logger.LogInformation("Task {TaskId} answered after {ToolCalls} tool calls", task.Id, toolCalls.Count);
        var result = new TaskResult
        {
            Thought = thought,
            Reply = reply,
            ChainId = HexQuantity.Format(chainId),
            BlockNumber = HexQuantity.Format(blockNumber),
            Observations = TaskResults.Describe(toolCalls),
            ToolCalls = toolCalls,
        };
        return await proofs.SealAsync(task.Id, task.Goal, result, ct);
    }

    /// <summary>
    /// The conversation the model is asked to continue. A task's first attempt opens it (system prompt, earlier turns of its
    /// session, the goal). A later one — a retry, a takeover, a resume after approval — rebuilds it from the recorded steps,
    /// asks again the calls its last turn left unanswered (a write under its own key: ChainService answers with what it did)
    /// and returns it with the model's final answer when that was recorded already; the model is asked only for what follows.
    /// </summary>
    private async Task<(List<ChatMessage> Messages, int PromptCount, ChatMessage? Answer)> ConversationAsync(
        AgentTask task, AgentProfile profile, TaskRun run, ChatOptions chatOptions, CancellationToken ct)
    {
        var steps = task.Attempts > 1
            ? await db.TaskSteps.AsNoTracking().Where(s => s.TaskId == task.Id).OrderBy(s => s.Attempt).ThenBy(s => s.Seq).ToListAsync(ct)
            : [];
        if (RecordedConversation.From(steps) is not { } recorded)
        {
            List<ChatMessage> prompt = [new(ChatRole.System, SystemPrompt(profile, task)), .. await SessionHistoryAsync(task, ct), new(ChatRole.User, DescribeTask(task))];
            run.OpenWith(prompt);
            return (new List<ChatMessage>(prompt), prompt.Count, null);
        }
        run.ContinueFrom(recorded);
        await SavedAsync(task, recorded.Turns, chatOptions.ModelId, ct);
        logger.LogInformation("Task {TaskId} attempt {Attempt} continues after {Turns} recorded model turns", task.Id, task.Attempts, recorded.Turns.Count);
        if (recorded.FinalAnswer is { } answer) return (recorded.Messages, recorded.PromptCount, answer);

        var askedAgain = new Dictionary<string, string>();
        foreach (var call in recorded.Unanswered)
        {
            var tool = chatOptions.Tools!.OfType<TaskTool>().FirstOrDefault(t => t.Name == call.Name);
            askedAgain[call.CallId] = tool is null
                ? $"Error: Requested function \"{call.Name}\" not found."
                : await tool.CallAsync(call.CallId, new AIFunctionArguments(call.Arguments), ct);
            if (run.StopReason is { } stopped) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(stopped);
        }
        if (recorded.LastCalls.Count > 0) recorded.Messages.Add(recorded.AnswersToLastTurn(askedAgain));
        return (recorded.Messages, recorded.PromptCount, null);
    }

    /// <summary>Counts the recorded turns an attempt continued from instead of asking again: on the task's usage and in the metrics.</summary>
    private async Task SavedAsync(AgentTask task, List<TaskStep> turns, string? model, CancellationToken ct)
    {
        await db.Tasks.Where(t => t.Id == task.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.ModelCallsSaved, t => t.ModelCallsSaved + turns.Count), ct);
        var tag = new KeyValuePair<string, object?>("model", model ?? "unknown");
        AgentTelemetry.ModelTurnsSaved.Add(turns.Count, tag);
        AgentTelemetry.TokensSaved.Add(turns.Sum(t => t.TokensIn), tag, new("direction", "input"));
        AgentTelemetry.TokensSaved.Add(turns.Sum(t => t.TokensOut), tag, new("direction", "output"));
    }

    /// <summary>
    /// The run's layers over the shared client, outermost first: the tool loop, which ends after a call that stopped the
    /// run, then the recording of each model turn. Not disposed: disposing would dispose the shared client beneath.
    /// </summary>
    private IChatClient ForRun(TaskRun run) => chat.AsBuilder()
        .UseFunctionInvocation(loggers, f =>
        {
            f.MaximumIterationsPerRequest = MaxModelTurns;
            f.FunctionInvoker = async (context, ct) =>
            {
                var result = context.Function is TaskTool tool
                    ? await tool.CallAsync(context.CallContent.CallId, context.Arguments, ct)
                    : await context.Function.InvokeAsync(context.Arguments, ct);
                context.Terminate |= run.StopReason is not null;
                return result;
            };
        })
        .Use(inner => new RecordingChatClient(inner, run))
        .Build();

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max] + "…";

    private static (long ChainId, long BlockNumber)? LatestChainInfo(List<ToolCall> toolCalls)
    {
        if (toolCalls.LastOrDefault(o => o.Tool == "get_chain_info" && !o.IsError) is not { } seen) return null;
        try
        {
            var info = JsonDocument.Parse(seen.Output).RootElement;
            return (info.GetProperty("chain_id").GetInt64(), info.GetProperty("block_number").GetInt64());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The profile's prompt with <c>{network}</c> and <c>{date}</c> filled in.</summary>
    private string SystemPrompt(AgentProfile profile, AgentTask task) => profile.SystemPrompt
        .Replace("{network}", task.Network ?? networks.Value.DefaultNetwork, StringComparison.Ordinal)
        .Replace("{date}", DateTimeOffset.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

    /// <summary>The latest finished turns of the task's session (bounded in turns and characters), oldest first.</summary>
    private async Task<List<ChatMessage>> SessionHistoryAsync(AgentTask task, CancellationToken ct)
    {
        if (task.SessionId is null) return [];
        var earlier = await db.Tasks.AsNoTracking()
            .Where(t => t.SessionId == task.SessionId && t.Id != task.Id && t.CreatedAt <= task.CreatedAt && t.Status == TaskStatuses.Succeeded)
            .OrderByDescending(t => t.CreatedAt).Take(SessionTurns).Select(t => new { t.Goal, t.ResultJson }).ToListAsync(ct);
        var turns = new List<ChatMessage>();
        var budget = SessionChars;
        foreach (var turn in earlier)
        {
            var reply = TaskResults.Read(turn.ResultJson)?.Reply ?? "";
            budget -= turn.Goal.Length + reply.Length;
            if (budget < 0) break;
            turns.InsertRange(0, [new(ChatRole.User, turn.Goal), new(ChatRole.Assistant, reply)]);
        }
        return turns;
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

    private static List<ToolCall> CollectToolCalls(IEnumerable<ChatMessage> messages)
    {
        var contents = messages.SelectMany(m => m.Contents).ToList();
        var results = contents.OfType<FunctionResultContent>().ToDictionary(r => r.CallId);
        return contents.OfType<FunctionCallContent>().Select(call =>
        {
            var (output, isError) = results.TryGetValue(call.CallId, out var r) ? (r.Exception is { } e ? (e.Message, true) : Render(r.Result)) : ("", true);
            return new ToolCall(call.Name, JsonSerializer.SerializeToElement(call.Arguments ?? new Dictionary<string, object?>()), output, isError);
        }).ToList();
    }

    /// <summary>An MCP tool result as the caller needs it: its structured content (or text), and whether the tool failed.</summary>
    internal static (string Output, bool IsError) Render(object? result)
    {
        if (result is string answer && answer.StartsWith('{'))
        {
            try
            {
                result = JsonDocument.Parse(answer).RootElement.Clone(); // a tool's answer as the model reads it: the MCP result
            }
            catch (JsonException)
            {
            }
        }
        if (result is not JsonElement { ValueKind: JsonValueKind.Object } element)
        {
            var text = result?.ToString() ?? "";
            return (text, text.StartsWith("STEP_TIMEOUT:", StringComparison.Ordinal));
        }
        var isError = element.TryGetProperty("isError", out var flag) && flag.ValueKind == JsonValueKind.True;
        if (!isError && element.TryGetProperty("structuredContent", out var structured))
        {
            return (JsonSerializer.Serialize(structured, OpenMcpChainJson.Options), false);
        }
        var content = element.TryGetProperty("content", out var blocks) && blocks.ValueKind == JsonValueKind.Array
            ? string.Join("\n", blocks.EnumerateArray()
                .Where(b => b.TryGetProperty("text", out _))
                .Select(b => b.GetProperty("text").GetString()))
            : element.GetRawText();
        return (content, isError);
    }

    /// <summary>Turns an unreachable dependency into a transient, coded failure (retried), and lets everything else through.</summary>
    private static async Task<T> Guard<T>(string code, string what, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (IsUnreachable(e))
        {
            throw new AgentFailure(code, $"{what} failed: {e.Message}", transient: true, e);
        }
    }

    /// <summary>
    /// A dependency was away or did not answer (connection, HTTP client timeout or open circuit, a transport error):
    /// nothing says what it did. A protocol error is an answer, and is not one of these.
    /// </summary>
    public static bool IsUnreachable(Exception e) =>
        e is HttpRequestException or ClientResultException or TimeoutException
            or Polly.ExecutionRejectedException // the client's timeout or open circuit
            or ModelContextProtocol.McpException or IOException
        && e is not ModelContextProtocol.McpProtocolException;
}
