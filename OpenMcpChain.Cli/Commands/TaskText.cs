using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Cli.Commands;

/// <summary>How tasks, steps and progress read for people.</summary>
public static class TaskText
{
    public static void Progress(TextWriter o, TaskProgressEvent e)
    {
        if (e.Type == TaskProgressEvent.Step)
            o.WriteLine($"  step {e.Seq,-3} {e.Kind,-10} {e.Name,-24} {Outcome(e.IsError == true, e.ErrorCode, e.PolicyDecision),-24} {e.DurationMs} ms");
        else if (e.Type == TaskProgressEvent.StatusChanged)
            o.WriteLine($"  status: {e.Status}{(string.IsNullOrEmpty(e.Detail) ? "" : $" ({e.Detail})")}");
    }

    public static string Outcome(bool isError, string? errorCode, string? policyDecision) => (isError, errorCode) switch
    {
        (true, ChainErrorCodes.ApprovalRequired) => "parked for approval",
        (true, _) => $"error {errorCode}",
        _ => policyDecision is { Length: > 0 } d ? d : "ok",
    };

    /// <summary>The end of a task: its reply, or its error code and message.</summary>
    public static void Outcome(TextWriter o, TaskResponse task)
    {
        o.WriteLine($"Task {task.TaskId} {task.Status}.");
        if (task.Result is { Reply: { Length: > 0 } reply }) o.WriteLine(reply);
        if (task.Error is { } error) o.WriteLine($"error: {error.Code}: {error.Message}");
        if (task.Status == TaskStatuses.AwaitingApproval) o.WriteLine($"Waiting for approval {task.ApprovalId}.");
    }

    public static void Details(TextWriter o, TaskResponse t)
    {
        Field(o, "id", t.TaskId);
        Field(o, "status", t.Status);
        Field(o, "goal", t.Goal);
        Field(o, "submitted by", t.SubmittedBy);
        Field(o, "profile", t.Profile);
        Field(o, "network", t.Network);
        Field(o, "created", Time(t.CreatedAt));
        Field(o, "updated", Time(t.UpdatedAt));
        Field(o, "attempts", $"{t.Attempts} (of {t.MaxRetries + 1})");
        Field(o, "tokens", $"{t.Usage.InputTokens} in, {t.Usage.OutputTokens} out");
        Field(o, "approval", t.ApprovalId);
        if (t.Error is { } error) Field(o, "error", $"{error.Code}: {error.Message}");
        if (t.Result is { } r)
        {
            Field(o, "reply", r.Reply);
            Field(o, "chain", $"{r.ChainId} at block {r.BlockNumber}");
            foreach (var call in r.ToolCalls) Field(o, "tool call", $"{call.Tool}{(call.IsError ? " (error)" : "")}: {call.Output}");
            if (r.Provenance is { } p)
            {
                Field(o, "signed by", $"{p.Signer} ({p.Scheme})");
                if (p.Log is { } log) Field(o, "log", $"entry {log.Index} of a tree of {log.TreeSize}, root {log.Root}");
                Field(o, "anchor", p.Anchor is { } a ? $"{a.TxHash} in block {a.BlockNumber} on {a.Network}" : "not yet");
            }
        }
    }

    public static void Field(TextWriter o, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value)) o.WriteLine($"{name + ":",-14}{value}");
    }

    /// <summary>The line under a listed page: how many of how many, and how to see the next page.</summary>
    public static string PageFooter(int shown, int total, int? nextOffset) =>
        $"{shown} of {total}{(nextOffset is { } next ? $"; more with --offset {next}" : "")}";

    public static string Time(long unixSeconds) => DateTimeOffset.FromUnixTimeSeconds(unixSeconds).ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss");

    public static string Clip(string text, int width) =>
        (text = text.ReplaceLineEndings(" ")).Length <= width ? text : text[..(width - 1)] + "…";
}
