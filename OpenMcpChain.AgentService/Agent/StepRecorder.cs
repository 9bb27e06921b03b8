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
            db.TaskSteps.Add(step);
            await db.SaveChangesAsync(CancellationToken.None);
            if (step.Kind == StepKinds.ModelTurn)
                await db.Tasks.Where(t => t.Id == taskId).ExecuteUpdateAsync(s => s
                    .SetProperty(t => t.ModelCalls, t => t.ModelCalls + 1)
                    .SetProperty(t => t.TokensIn, t => t.TokensIn + step.TokensIn)
                    .SetProperty(t => t.TokensOut, t => t.TokensOut + step.TokensOut));
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
