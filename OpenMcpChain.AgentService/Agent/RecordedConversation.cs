using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using OpenMcpChain.AgentService.Infrastructure;
using OpenMcpChain.Sdk;

namespace OpenMcpChain.AgentService.Agent;

/// <summary>
/// A task's conversation rebuilt from its recorded steps alone: the prompt its first model turn was shown, each model turn
/// with its tool calls, each call's recorded answer. An attempt continues it instead of starting over: the calls of the last
/// turn that have no answer yet (a parked write, a write whose outcome was not known, a call cut by a crash) are asked
/// again — a write under its own idempotency key, so ChainService answers with what it did — and the model is asked only
/// for the next turn. The same fields are in the transparency log, so an auditor can replay the conversation from there.
/// </summary>
public sealed class RecordedConversation
{
    private readonly Dictionary<string, TaskStep> _answers;

    private RecordedConversation(List<ChatMessage> messages, int promptCount, List<FunctionCallContent> lastCalls,
        Dictionary<string, TaskStep> answers, List<TaskStep> answered, List<TaskStep> turns)
    {
        Messages = messages;
        PromptCount = promptCount;
        LastCalls = lastCalls;
        _answers = answers;
        Answered = answered;
        Turns = turns;
    }

    /// <summary>The prompt, then each turn and the answers the model was given, up to the last turn (its answers not included).</summary>
    public List<ChatMessage> Messages { get; }
    /// <summary>How many of <see cref="Messages"/> are the prompt (system prompt, session turns, the goal).</summary>
    public int PromptCount { get; }
    /// <summary>The tool calls of the last model turn, in the order the model asked for them.</summary>
    public List<FunctionCallContent> LastCalls { get; }
    /// <summary>The recorded answers the model was or will be given, in conversation order.</summary>
    public List<TaskStep> Answered { get; }
    /// <summary>The recorded model turns: what continuing from them saves.</summary>
    public List<TaskStep> Turns { get; }

    /// <summary>The calls of the last turn still to be asked, in order.</summary>
    public IEnumerable<FunctionCallContent> Unanswered => LastCalls.Where(c => !_answers.ContainsKey(c.CallId));

    /// <summary>The model's final answer, when the last recorded turn called no tool (the attempt ended before sealing it).</summary>
    public ChatMessage? FinalAnswer => LastCalls.Count == 0 ? Messages[^1] : null;

    /// <summary>The answers to the last turn's calls as the tool message the model reads next: recorded, else asked again now.</summary>
    public ChatMessage AnswersToLastTurn(IReadOnlyDictionary<string, string> askedAgain) => new(ChatRole.Tool,
        [.. LastCalls.Select(c => new FunctionResultContent(c.CallId, _answers.TryGetValue(c.CallId, out var step) ? step.Content : askedAgain[c.CallId]))]);

    /// <summary>
    /// The conversation in <paramref name="steps"/> (oldest first), or null when there is none to continue: no model turn was
    /// recorded yet, or only turns recorded before steps held the conversation. It starts at the last turn that holds a prompt.
    /// </summary>
    public static RecordedConversation? From(IReadOnlyList<TaskStep> steps)
    {
        var start = -1;
        for (var i = steps.Count - 1; i >= 0 && start < 0; i--)
            if (steps[i].Kind == StepKinds.ModelTurn && ReadTurn(steps[i]).Prompt is not null) start = i;
        if (start < 0) return null;

        var messages = new List<ChatMessage>(ReadTurn(steps[start]).Prompt!);
        var promptCount = messages.Count;
        var (answered, turns) = (new List<TaskStep>(), new List<TaskStep>());
        List<FunctionCallContent> calls = [];
        var answers = new Dictionary<string, TaskStep>();
        foreach (var step in steps.Skip(start))
        {
            if (step.Kind == StepKinds.ModelTurn)
            {
                if (calls.Count > 0)
                {
                    // A turn before the last: the model was given every answer of it before it was asked again.
                    if (calls.Any(c => !answers.ContainsKey(c.CallId))) return null;
                    messages.Add(new ChatMessage(ChatRole.Tool, [.. calls.Select(c => new FunctionResultContent(c.CallId, answers[c.CallId].Content))]));
                    answered.AddRange(calls.Select(c => answers[c.CallId]));
                }
                turns.Add(step);
                calls = ReadTurn(step).Calls;
                answers = [];
                messages.Add(new ChatMessage(ChatRole.Assistant, [.. string.IsNullOrEmpty(step.Output) ? [] : (AIContent[])[new TextContent(step.Output)], .. calls]));
            }
            else if (step is { Kind: StepKinds.ToolCall, CallId: { } callId, Content: not null })
            {
                // The steps after a turn answer its calls; the latest answer wins: a parked write's is the one it got once approved.
                if (TaskTool.LeavesUnanswered(step.Name, step.ErrorCode)) answers.Remove(callId);
                else answers[callId] = step;
            }
        }
        answered.AddRange(calls.Where(c => answers.ContainsKey(c.CallId)).Select(c => answers[c.CallId]));
        return new RecordedConversation(messages, promptCount, calls, answers, answered, turns);
    }

    /// <summary>A model turn's recorded arguments: how many messages it read, its tool calls, and (the first turn) its prompt.</summary>
    public static string DescribeTurn(int inputMessages, IEnumerable<FunctionCallContent> calls, IReadOnlyList<ChatMessage>? prompt)
    {
        var turn = new JsonObject
        {
            ["input_messages"] = inputMessages,
            ["tool_calls"] = new JsonArray([.. calls.Select(c => (JsonNode)new JsonObject
            {
                ["id"] = c.CallId,
                ["name"] = c.Name,
                ["arguments"] = JsonSerializer.SerializeToNode(c.Arguments ?? new Dictionary<string, object?>(), AIJsonUtilities.DefaultOptions),
            })]),
        };
        if (prompt is not null)
            turn["prompt"] = new JsonArray([.. prompt.Select(m => (JsonNode)new JsonObject { ["role"] = m.Role.Value, ["content"] = m.Text })]);
        return turn.ToJsonString(OpenMcpChainJson.Options);
    }

    private static (List<ChatMessage>? Prompt, List<FunctionCallContent> Calls) ReadTurn(TaskStep turn)
    {
        if (turn.ArgumentsJson is null || JsonNode.Parse(turn.ArgumentsJson) is not JsonObject args) return (null, []);
        var prompt = args["prompt"] is JsonArray messages
            ? messages.Select(m => new ChatMessage(new ChatRole(m!["role"]!.GetValue<string>()), m["content"]?.GetValue<string>())).ToList()
            : null;
        // Turns recorded before resumption listed their tools by name only: they cannot be put back, and hold no prompt.
        var calls = args["tool_calls"] is JsonArray list && list.All(c => c is JsonObject)
            ? list.Select(c => new FunctionCallContent(c!["id"]!.GetValue<string>(), c["name"]!.GetValue<string>(),
                c["arguments"].Deserialize<Dictionary<string, object?>>(AIJsonUtilities.DefaultOptions))).ToList()
            : [];
        return (prompt, calls);
    }
}
