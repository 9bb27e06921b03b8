using Microsoft.EntityFrameworkCore;
using OpenMcpChain.AgentService.Infrastructure;

namespace OpenMcpChain.AgentService.Agent;

/// <summary>
/// One run of a task, created by <see cref="AgentRunner"/> and handed to the layers that take part in it: its step
/// recorder, its step budget, its write counter and the switch that ends it before the model's answer.
/// </summary>
public sealed class TaskRun(string taskId, string profile, int maxSteps, StepRecorder recorder, IServiceScopeFactory scopes)
{
    private int _toolCalls;
    private int _writes;
    private bool _cancelled;

    public string TaskId => taskId;
    /// <summary>The name of the profile the run is under (its step spans are tagged with it).</summary>
    public string Profile => profile;
    public StepRecorder Recorder => recorder;

    /// <summary>The most tool calls the run may make (its profile's max steps); the next one is refused before it acts.</summary>
    public int MaxSteps => maxSteps;

    /// <summary>
    /// Why the run must end before the model's answer: cancelled, out of steps, a write parked for approval
    /// (<see cref="TaskParked"/>) or refused by the policy gate. The first reason wins; the runner throws it.
    /// </summary>
    public Exception? StopReason { get; private set; }

    /// <summary>Records why the run ends; the tool loop ends after the current call.</summary>
    public void Stop(Exception reason) => StopReason ??= reason;

    private readonly List<(string Tool, string? Code, string Output)> _outcomes = [];
    private readonly Lock _gate = new();

    /// <summary>Notes how a tool call ended: its error code, or null when it succeeded.</summary>
    public void NoteToolOutcome(string tool, string? code, string output)
    {
        lock (_gate) _outcomes.Add((tool, code, output));
    }

    /// <summary>
    /// The first failed tool call the model did not make good: no later call of the same tool (for a write: of any write
    /// tool) succeeded. A run that ends with one fails with its code, whatever the model's reply says. A failed write
    /// counts, and a read that failed because the chain or ChainService was away; a read the model asked wrongly (an
    /// unknown address, a bad argument) is an answer the model works with.
    /// </summary>
    public (string Tool, string Code, string Output)? UnrecoveredFailure()
    {
        lock (_gate)
        {
            for (var i = 0; i < _outcomes.Count; i++)
            {
                var (tool, code, output) = _outcomes[i];
                if (code is null || !TaskTool.WriteTools.Contains(tool) && !TaskTool.IsTransient(code)) continue;
                var recovered = _outcomes.Skip(i + 1).Any(later => later.Code is null
                    && (later.Tool == tool || TaskTool.WriteTools.Contains(tool) && TaskTool.WriteTools.Contains(later.Tool)));
                if (!recovered) return (tool, code, output);
            }
            return null;
        }
    }

    private IReadOnlyList<Microsoft.Extensions.AI.ChatMessage>? _prompt;

    /// <summary>Starts a new conversation with <paramref name="prompt"/>, which the first model turn's step records.</summary>
    public void OpenWith(IReadOnlyList<Microsoft.Extensions.AI.ChatMessage> prompt) => _prompt = prompt;

    /// <summary>The prompt of a new conversation, once (for its first model turn); null for later turns and continued conversations.</summary>
    public IReadOnlyList<Microsoft.Extensions.AI.ChatMessage>? TakePrompt() => Interlocked.Exchange(ref _prompt, null);

    /// <summary>
    /// Continues a recorded conversation: its answered calls count against the step budget and the write keys (the next
    /// write asked for continues the numbering), and their outcomes count as this run's.
    /// </summary>
    public void ContinueFrom(RecordedConversation conversation)
    {
        _toolCalls = conversation.Answered.Count;
        _writes = conversation.Answered.Count(s => TaskTool.WriteTools.Contains(s.Name));
        foreach (var step in conversation.Answered) NoteToolOutcome(step.Name, step.ErrorCode, step.Output);
    }

    private Func<CancellationToken, Task>? _beforeFirstWrite;

    /// <summary>Work that must be done before the run's first write is sent (reading the chain context), once.</summary>
    public void BeforeFirstWrite(Func<CancellationToken, Task> work) => _beforeFirstWrite = work;

    /// <summary>Runs the work set by <see cref="BeforeFirstWrite"/> if no write ran it yet; the failure it ended with, if any.</summary>
    public async Task<AgentFailure?> PrepareWriteAsync(CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _beforeFirstWrite, null) is not { } work) return null;
        try
        {
            await work(ct);
            return null;
        }
        catch (AgentFailure failure)
        {
            return failure;
        }
    }

    /// <summary>Takes one tool call from the budget; false when the budget is spent.</summary>
    public bool TryTakeToolCall() => Interlocked.Increment(ref _toolCalls) <= maxSteps;

    /// <summary>The idempotency key of the next write: the n-th write the model asked for in the task is always <c>{task}:w{n}</c>.</summary>
    public string NextWriteKey() => $"{taskId}:w{Interlocked.Increment(ref _writes)}";

    /// <summary>
    /// True when the task was cancelled since the run began, as agentdb says at this step boundary: read with the step
    /// recorded just before it, else read now.
    /// </summary>
    public async Task<bool> CancelRequestedAsync(CancellationToken ct)
    {
        if (_cancelled) return true;
        if (recorder.TakeCancelSeen() is { } seen) return _cancelled = seen;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AgentDbContext>();
        _cancelled = await db.Tasks.AsNoTracking().Where(t => t.Id == taskId).Select(t => t.CancelRequested).SingleAsync(ct);
        return _cancelled;
    }
}
