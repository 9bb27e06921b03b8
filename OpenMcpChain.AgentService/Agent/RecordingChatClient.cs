using System.Diagnostics;
using Microsoft.Extensions.AI;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.AgentService.Agent;

/// <summary>
/// Sits under function invocation, so it sees each model turn: stops a cancelled task before the next turn and
/// records the turn (text, requested tool calls, tokens, time) with the run's <see cref="StepRecorder"/>.
/// </summary>
public sealed class RecordingChatClient(IChatClient inner) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var recorder = StepRecorder.Current;
        if (recorder is not null && await recorder.CancelRequestedAsync(cancellationToken))
            throw new AgentFailure(ErrorCodes.TaskCancelled, "The task was cancelled.", transient: false);
        var started = Stopwatch.GetTimestamp();
        var input = messages as IReadOnlyCollection<ChatMessage> ?? [.. messages];
        var response = await base.GetResponseAsync(input, options, cancellationToken);
        if (recorder is not null)
        {
            await recorder.RecordModelTurnAsync(response.Text, input.Count,
                response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Select(c => c.Name),
                response.Usage?.InputTokenCount ?? 0, response.Usage?.OutputTokenCount ?? 0, StepRecorder.ElapsedMs(started));
        }
        return response;
    }
}
