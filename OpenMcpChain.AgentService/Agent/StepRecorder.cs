using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using OpenMcpChain.AgentService.Infrastructure;
using OpenMcpChain.AgentService.Progress;
using OpenMcpChain.Sdk;

namespace OpenMcpChain.AgentService.Agent;

/// <summary>
/// Records the steps of one run of a task — each model turn and each tool call — in <c>task_steps</c>, appends each to
/// ProofService's transparency log (filed under the task) and publishes it as progress. What a step holds is what the
/// model was shown, so the conversation can be rebuilt from the steps (<see cref="RecordedConversation"/>) or the log.
/// </summary>
public sealed class StepRecorder(
    string taskId, int attempt, IServiceScopeFactory scopes, ProofClient proofs, TaskProgress progress, ILogger logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _seq;
    /// <summary>How old a cancel flag read with a step may be for the next step boundary to use it instead of reading its own.</summary>
    private static readonly TimeSpan CancelSeenFor = TimeSpan.FromMilliseconds(50);
    // Whether the task was cancelled, as read with the latest step, and when; null once taken or before the first step.
    private (bool Cancelled, long At)? _cancelSeen;
    private readonly Lock _seen = new();

    /// <summary>
    /// Whether the task was cancelled, as read by the statement that recorded the latest step, once and only just after it:
    /// the check at the step boundary right after a step needs no query of its own. Null before the first step, once a
    /// boundary took it, and when it was read more than <see cref="CancelSeenFor"/> ago (publishing the step's progress
    /// waited on Redis, say): that boundary reads the flag itself.
    /// </summary>
    public bool? TakeCancelSeen()
    {
        lock (_seen)
        {
            var seen = _cancelSeen;
            _cancelSeen = null;
            return seen is { } s && Stopwatch.GetElapsedTime(s.At) <= CancelSeenFor ? s.Cancelled : null;
        }
    }

    /// <summary>
    /// Records a model turn as the model gave it: its text and its tool calls (id, name, arguments), so a later attempt can
    /// put the same turn back into the conversation; the first turn also holds the <paramref name="prompt"/> it opened with.
    /// </summary>
    public Task RecordModelTurnAsync(string text, int inputMessages, IEnumerable<FunctionCallContent> toolCalls, IReadOnlyList<ChatMessage>? prompt,
        long tokensIn, long tokensOut, long durationMs) =>
        RecordAsync(new TaskStep
        {
            TaskId = taskId, Kind = StepKinds.ModelTurn, Name = "model",
            ArgumentsJson = RecordedConversation.DescribeTurn(inputMessages, toolCalls, prompt),
            Output = text, DurationMs = durationMs, TokensIn = tokensIn, TokensOut = tokensOut,
        });

    /// <summary>Records a tool call: <paramref name="content"/> is its answer exactly as the model is given it.</summary>
    public Task RecordToolCallAsync(string? callId, string name, string argumentsJson, string output, string content, bool isError, string? errorCode,
        string? policyDecision, long durationMs) =>
        RecordAsync(new TaskStep
        {
            TaskId = taskId, Kind = StepKinds.ToolCall, Name = name, CallId = callId, ArgumentsJson = argumentsJson, Output = output,
            Content = content, IsError = isError, ErrorCode = errorCode, PolicyDecision = policyDecision, DurationMs = durationMs,
        });

    private async Task RecordAsync(TaskStep step)
    {
        await _gate.WaitAsync();
        try
        {
            step.Attempt = attempt;
            step.Seq = ++_seq;
            step.CreatedAt = DateTimeOffset.UtcNow;
            step.LogIndex = await proofs.AppendAsync(ToLogEntry(step), CancellationToken.None);
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AgentDbContext>();
            var cancelled = await db.Database.CreateExecutionStrategy().ExecuteAsync(() => InsertAsync(db, step));
            lock (_seen) _cancelSeen = (cancelled, Stopwatch.GetTimestamp());
            await progress.PublishAsync(taskId, new
            {
                type = "step", step.Attempt, step.Seq, step.Kind, step.Name, step.IsError, step.ErrorCode, step.PolicyDecision,
                step.DurationMs, step.LogIndex, at = step.CreatedAt.ToUnixTimeMilliseconds(),
            });
        }
        finally
        {
            _gate.Release();
        }
        logger.LogDebug("Task {TaskId} step {Seq}: {Kind} {Name}", taskId, step.Seq, step.Kind, step.Name);
    }

    /// <summary>
    /// The step's row, the task's model-call counters (a model turn's) and whether the task was cancelled meanwhile, in one
    /// round trip and one transaction. A retry after a lost connection finds the row of an attempt that committed and
    /// changes nothing (so the counters never count a turn twice or lose one); a command that failed midway leaves its
    /// transaction to the pool, whose reset rolls it back before the connection is used again.
    /// </summary>
    private async Task<bool> InsertAsync(AgentDbContext db, TaskStep step)
    {
        await db.Database.OpenConnectionAsync();
        try
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = InsertSql;
            void Add(string name, object? value)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                parameter.Value = value ?? DBNull.Value;
                command.Parameters.Add(parameter);
            }
            Add("@task", step.TaskId);
            Add("@attempt", step.Attempt);
            Add("@seq", step.Seq);
            Add("@kind", step.Kind);
            Add("@name", step.Name);
            Add("@arguments", step.ArgumentsJson);
            Add("@output", step.Output);
            Add("@call", step.CallId);
            Add("@content", step.Content);
            Add("@error", step.IsError);
            Add("@code", step.ErrorCode);
            Add("@decision", step.PolicyDecision);
            Add("@duration", step.DurationMs);
            Add("@in", step.TokensIn);
            Add("@out", step.TokensOut);
            Add("@log", step.LogIndex);
            Add("@at", step.CreatedAt.UtcDateTime); // stored as UTC, as EF stores a DateTimeOffset
            Add("@turn", step.Kind == StepKinds.ModelTurn);
            await using var reader = await command.ExecuteReaderAsync();
            var cancelled = false;
            do // through every statement's result, so each one's error surfaces here; the SELECT's is the one with columns
            {
                if (reader.FieldCount > 0 && await reader.ReadAsync()) cancelled = reader.GetBoolean(0);
            } while (await reader.NextResultAsync());
            return cancelled;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    // The row goes in with INSERT … VALUES (a retry's duplicate changes nothing): InnoDB takes the auto-increment value under
    // a short mutex, where an INSERT … SELECT holds the table's AUTO-INC lock for the whole statement — which serialised
    // every run's steps and, when MariaDB came back from a kill under load, failed them ("Failed to read auto-increment
    // value from storage engine"). Read committed: the existence check takes no gap locks that concurrent runs' steps,
    // whose keys sort side by side, would deadlock on.
    private const string InsertSql = """
        SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
        START TRANSACTION;
        SELECT CancelRequested FROM tasks WHERE Id = @task;
        UPDATE tasks SET ModelCalls = ModelCalls + 1, TokensIn = TokensIn + @in, TokensOut = TokensOut + @out
        WHERE Id = @task AND @turn
          AND NOT EXISTS (SELECT 1 FROM task_steps WHERE TaskId = @task AND Attempt = @attempt AND Seq = @seq);
        INSERT INTO task_steps (TaskId, Attempt, Seq, Kind, Name, ArgumentsJson, Output, CallId, Content, IsError, ErrorCode,
            PolicyDecision, DurationMs, TokensIn, TokensOut, LogIndex, CreatedAt)
        VALUES (@task, @attempt, @seq, @kind, @name, @arguments, @output, @call, @content, @error, @code, @decision, @duration,
            @in, @out, @log, @at)
        ON DUPLICATE KEY UPDATE Id = Id;
        COMMIT;
        """;

    private static JsonObject ToLogEntry(TaskStep s) => new()
    {
        ["type"] = "task_step",
        ["task_id"] = s.TaskId,
        ["attempt"] = s.Attempt,
        ["seq"] = s.Seq,
        ["kind"] = s.Kind,
        ["name"] = s.Name,
        ["arguments"] = s.ArgumentsJson is null ? null : JsonNode.Parse(s.ArgumentsJson),
        ["output"] = s.Output,
        ["call_id"] = s.CallId,
        ["content"] = s.Content,
        ["is_error"] = s.IsError,
        ["error_code"] = s.ErrorCode,
        ["policy_decision"] = s.PolicyDecision,
        ["duration_ms"] = s.DurationMs,
        ["tokens_in"] = s.TokensIn,
        ["tokens_out"] = s.TokensOut,
        ["at"] = s.CreatedAt.ToUnixTimeMilliseconds(),
    };

    public static long ElapsedMs(long started) => (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
}
