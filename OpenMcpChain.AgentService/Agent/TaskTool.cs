using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.AgentService.Agent;

/// <summary>
/// A ChainService tool as one task uses it. Each call is a step: it stops if the task was cancelled, records the call
/// (arguments, result, time, policy decision) and ends the loop when a write is parked for approval or refused, or a call
/// is left without an answer (ChainService or the chain was away: the task runs again and asks it again). Writes carry an
/// idempotency key per step — the n-th write the model asked for is always <c>{task}:w{n}</c> — so a call asked again
/// (a retry, a takeover, a resume after approval) gets ChainService's first result instead of sending twice.
/// </summary>
public sealed class TaskTool(AIFunction inner, TaskRun run, TimeSpan stepTimeout, Func<string>? nextWrite) : DelegatingAIFunction(inner)
{
    private const string StepTimeout = "STEP_TIMEOUT";

    public static readonly IReadOnlySet<string> WriteTools = new HashSet<string> { "transfer_native", "transfer_erc20", "write_contract" };

    /// <summary>Write errors that say nothing of what was done: the service or the chain was away, or the call failed untyped.</summary>
    private static readonly IReadOnlySet<string> OutcomeUnknown = new HashSet<string>
    {
        ChainErrorCodes.RpcUnavailable, ChainErrorCodes.ServiceUnavailable, ChainErrorCodes.NonceConflict, ErrorCodes.ToolFailed, StepTimeout,
    };

    /// <summary>Failures that may pass: the chain, ChainService or the step's time ran out; the task is run again.</summary>
    public static bool IsTransient(string code) =>
        code is ChainErrorCodes.RpcUnavailable or ChainErrorCodes.ServiceUnavailable or StepTimeout;

    /// <summary>
    /// True when a call that answered so ends the run before the model reads the answer: a write parked for approval, a
    /// write whose outcome is not known, any call the chain, ChainService or the step's time cut short (an answer that says
    /// nothing). A later attempt asks it again — a write under the same key — instead of showing that answer.
    /// </summary>
    public static bool LeavesUnanswered(string tool, string? code) =>
        code is not null && (code == ChainErrorCodes.ApprovalRequired || IsTransient(code) || WriteTools.Contains(tool) && OutcomeUnknown.Contains(code));

    /// <summary>The tools of a run, wrapped; writes take their keys from the run.</summary>
    public static List<AITool> ForRun(TaskRun run, IEnumerable<AIFunction> tools, TimeSpan stepTimeout) =>
        [.. tools.Select(t => new TaskTool(t, run, stepTimeout, WriteTools.Contains(t.Name) ? run.NextWriteKey : null))];

    // The parameter's name as the tool's schema spells it.
    private readonly string _keyName = inner.JsonSchema.TryGetProperty("properties", out var properties)
                                       && properties.TryGetProperty("idempotency_key", out _) ? "idempotency_key" : "idempotencyKey";

    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken) =>
        await CallAsync(FunctionInvokingChatClient.CurrentContext?.CallContent.CallId, arguments, cancellationToken);

    /// <summary>
    /// Calls the tool for the model's call <paramref name="callId"/> and records the step; returns the answer exactly as
    /// the model is given it (and as the step holds it), so a conversation rebuilt from the steps is the one the model saw.
    /// </summary>
    public async Task<string> CallAsync(string? callId, AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        if (await run.CancelRequestedAsync(cancellationToken))
        {
            run.Stop(new AgentFailure(ErrorCodes.TaskCancelled, "The task was cancelled.", transient: false));
            return "The task was cancelled; no further steps run.";
        }
        if (!run.TryTakeToolCall())
        {
            run.Stop(new AgentFailure(ErrorCodes.MaxStepsExceeded,
                $"The task needed more than the {run.MaxSteps} tool calls its profile allows.", transient: false));
            return $"MAX_STEPS_EXCEEDED: the profile allows {run.MaxSteps} tool calls; {Name} was not called.";
        }
        if (nextWrite is not null && await run.PrepareWriteAsync(cancellationToken) is { } unprepared)
        {
            // Nothing was sent: the run ends, and the next attempt asks this write again (under the key it would have had).
            run.Stop(unprepared);
            return $"{unprepared.Code}: {Name} was not called: {unprepared.Message}";
        }
        if (nextWrite is not null)
        {
            // A copy: the model's own call (which it reads back next turn) stays as it asked for it, without the key.
            arguments = new AIFunctionArguments(new Dictionary<string, object?>(arguments)) { Services = arguments.Services, Context = arguments.Context };
            arguments[_keyName] = nextWrite();
        }

        using var span = AgentTelemetry.StartStep($"tool {Name}", run);
        span?.SetTag(ServiceDefaults.TaskTelemetry.ToolTag, Name);
        var started = Stopwatch.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(stepTimeout);
        object? result;
        try
        {
            result = await base.InvokeCoreAsync(arguments, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            result = $"{StepTimeout}: {Name} did not answer within {stepTimeout.TotalSeconds:0} s.";
        }
        catch (Exception e) when (AgentRunner.IsUnreachable(e))
        {
            // The HTTP client's timeout, a reset connection, ChainService's 5xx after the client's retries: as unknown an
            // outcome as the step's timeout, so it is recorded and a write ends the run, to run again under the same key
            // (were it left to the model, its next try would take a new key and could send twice).
            result = $"{StepTimeout}: {Name} did not answer: {e.Message}";
        }
        var shown = result as string ?? JsonSerializer.Serialize(result, AIJsonUtilities.DefaultOptions);
        var (output, isError) = AgentRunner.Render(result);
        // What the tool answered, as typed fields of its structured content (ChainService sets the policy decision).
        var structured = result is JsonElement { ValueKind: JsonValueKind.Object } answer && answer.TryGetProperty("structuredContent", out var content)
            ? content : (JsonElement?)null;
        var error = isError ? ChainToolError.From(structured) : null;
        var code = !isError ? null : error?.Code ?? (result is string ? StepTimeout : ErrorCodes.ToolFailed);
        var decision = PolicyDecisions.From(structured);
        span?.SetTag(ServiceDefaults.TaskTelemetry.DecisionTag, decision);
        span?.SetTag("error.type", code);
        AgentTelemetry.ToolCalls.Add(1, new("tool", Name), new("decision", decision ?? "none"));
        try
        {
            await run.Recorder.RecordToolCallAsync(callId, Name, JsonSerializer.Serialize(arguments, OpenMcpChainJson.Options), output, shown, isError,
                code, decision, StepRecorder.ElapsedMs(started));
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // The call was made but its step is not recorded (agentdb or ProofService away). Handed to the tool loop, the
            // failure would reach the model as the tool's answer and the run would go on without the step: a transfer
            // that was sent, reported as failed. The run ends with the failure instead, and the next attempt asks the
            // call again (a write under the same key, which returns what ChainService did).
            run.Stop(e);
            return shown;
        }
        run.NoteToolOutcome(Name, code, output);
        // The run ends at a parked write (it resumes once the approval is decided), a write the gate refused, or a call left
        // unanswered (an outage, a write whose outcome is not known yet): the next attempt continues the recorded
        // conversation and asks that call again — a write under the same key, which returns what ChainService did.
        if (error is { Code: ChainErrorCodes.ApprovalRequired, ApprovalId: { } approvalId })
            run.Stop(new TaskParked(approvalId));
        else if (PolicyDecisions.IsRefusal(decision))
            run.Stop(new AgentFailure(decision!, $"{Name} was refused: {output}", transient: false));
        else if (LeavesUnanswered(Name, code))
            run.Stop(new AgentFailure(code!, $"{Name} did not complete: {output}", transient: true));
        return shown;
    }
}
