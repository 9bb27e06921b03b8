using System.Diagnostics;
using Microsoft.Extensions.AI;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.AgentService.Agent;

/// <summary>
/// Sits under function invocation, so it sees each model turn of its <see cref="TaskRun"/>: stops a cancelled task
/// before the next turn and records the turn (text, requested tool calls, tokens, time; the first turn its prompt) with the
/// run's recorder.
/// </summary>
public sealed class RecordingChatClient(IChatClient inner, TaskRun run) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (await run.CancelRequestedAsync(cancellationToken))
            throw new AgentFailure(ErrorCodes.TaskCancelled, "The task was cancelled.", transient: false);
        using var span = AgentTelemetry.StartStep("model turn", run);
        var started = Stopwatch.GetTimestamp();
        var input = messages as IReadOnlyCollection<ChatMessage> ?? [.. messages];
        var response = await base.GetResponseAsync(input, options, cancellationToken);
        var model = response.ModelId ?? options?.ModelId ?? "unknown";
        var (tokensIn, tokensOut) = (response.Usage?.InputTokenCount ?? 0, response.Usage?.OutputTokenCount ?? 0);
        span?.SetTag("gen_ai.request.model", model);
        span?.SetTag("gen_ai.usage.input_tokens", tokensIn);
        span?.SetTag("gen_ai.usage.output_tokens", tokensOut);
        AgentTelemetry.ModelTurns.Add(1, new KeyValuePair<string, object?>("model", model));
        AgentTelemetry.Tokens.Add(tokensIn, new("model", model), new("direction", "input"));
        AgentTelemetry.Tokens.Add(tokensOut, new("model", model), new("direction", "output"));
        await run.Recorder.RecordModelTurnAsync(response.Text, input.Count,
            response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>(), run.TakePrompt(),
            tokensIn, tokensOut, StepRecorder.ElapsedMs(started));
        return response;
    }
}
