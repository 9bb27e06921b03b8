using System.CommandLine;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Cli.Commands;

/// <summary><c>approvals list|show|approve|reject</c>: the inbox of writes parked for a person to judge.</summary>
public static class ApprovalsCommands
{
    public static Command Create() => new("approvals", "Work the approval inbox") { List(), Show(), Approve(), Reject() };

    private static Command List()
    {
        var status = new Option<string?>("--status", "-s") { Description = "Only requests in this status (pending, approved, rejected, withdrawn, expired)" };
        var task = new Option<string?>("--task") { Description = "Only the requests of this task" };
        var requestedBy = new Option<string?>("--requested-by") { Description = "Only the requests made for this user" };
        var limit = new Option<int?>("--limit", "-n") { Description = "How many (default 20)" };
        var offset = new Option<int?>("--offset") { Description = "How many to skip" };
        var command = new Command("list", "List approval requests, newest first") { status, task, requestedBy, limit, offset };
        command.SetAction(Cli.Action(async (cli, parse, ct) =>
        {
            var page = await (await cli.ConnectAsync(ct)).ListApprovalsAsync(new ApprovalFilter(parse.GetValue(status), parse.GetValue(task),
                parse.GetValue(requestedBy), Limit: parse.GetValue(limit), Offset: parse.GetValue(offset)), ct);
            cli.Print(page, o =>
            {
                o.WriteLine($"{"ID",-36}  {"STATUS",-9}  {"AMOUNT",-22}  {"TO",-42}  {"REQUESTED BY",-14}  TASK");
                foreach (var a in page.Approvals)
                    o.WriteLine($"{a.Id,-36}  {a.Status,-9}  {TaskText.Clip(Amount(a), 22),-22}  {a.To,-42}  {a.RequestedBy,-14}  {a.TaskId}");
                o.WriteLine(TaskText.PageFooter(page.Approvals.Count, page.Total, page.NextOffset));
            });
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Show() => Cli.ById("show", "Show what an approval request would do", "The approval request's id",
        (client, id, ct) => client.GetApprovalAsync(id, ct), Details);

    private static Command Approve()
    {
        var id = new Argument<string>("id") { Description = "The approval request's id" };
        var reason = new Option<string?>("--reason", "-r") { Description = "Why (kept with the decision in the transparency log)" };
        var command = new Command("approve", "Approve a parked write: it is sent and its task resumes") { id, reason };
        command.SetAction(Cli.Action(async (cli, parse, ct) =>
        {
            var client = await cli.ConnectAsync(ct);
            var sent = await client.ApproveAsync(parse.GetValue(id)!, parse.GetValue(reason), ct);
            // The request as it now stands (decided by whom, its log entry, the transaction) is what a person wants to see.
            var approval = await client.GetApprovalAsync(parse.GetValue(id)!, ct);
            cli.Print(approval, o => o.WriteLine($"Approval {approval.Id} {approval.Status} by {approval.DecidedBy}: "
                                                 + $"transaction {sent.TxHash} sent ({sent.Status}); task {approval.TaskId} resumes."));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Reject()
    {
        var id = new Argument<string>("id") { Description = "The approval request's id" };
        var reason = new Option<string>("--reason", "-r") { Description = "Why (shown to the submitter, kept in the transparency log)", Required = true };
        var command = new Command("reject", "Reject a parked write: nothing is sent and its task ends rejected") { id, reason };
        command.SetAction(Cli.Action(async (cli, parse, ct) =>
        {
            var approval = await (await cli.ConnectAsync(ct)).RejectAsync(parse.GetValue(id)!, parse.GetValue(reason)!, ct);
            cli.Print(approval, o => o.WriteLine($"Approval {approval.Id} {approval.Status} by {approval.DecidedBy}; task {approval.TaskId} ends rejected."));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static string Amount(ApprovalResponse a) =>
        a.Token is { } t ? $"{t.AmountFormatted ?? t.Amount} {t.Symbol ?? "tokens"}" : a.ValueEther is { } ether ? $"{ether} ETH" : "";

    private static void Details(TextWriter o, ApprovalResponse a)
    {
        TaskText.Field(o, "id", a.Id);
        TaskText.Field(o, "status", a.Status);
        TaskText.Field(o, "summary", a.Summary);
        TaskText.Field(o, "network", a.ChainId is { } chain ? $"{a.Network} (chain {chain})" : a.Network);
        TaskText.Field(o, "from", a.Wallet is null ? a.From : $"{a.From} (wallet {a.Wallet})");
        TaskText.Field(o, "to", a.To);
        TaskText.Field(o, "value", a.Value is null ? null : $"{a.ValueEther} ETH ({a.Value} wei)");
        if (a.Token is { } token) TaskText.Field(o, "token", $"{Amount(a)} ({token.Amount} at {token.Address})");
        if (a.Method is { } method)
            TaskText.Field(o, "method", $"{method.Signature}({string.Join(", ", method.Arguments.Select(x => $"{x.Name ?? x.Type}={x.Value}"))})");
        if (a.Simulation is { } sim) TaskText.Field(o, "simulation", $"{sim.Outcome}, {sim.Gas} gas");
        TaskText.Field(o, "task", a.TaskId);
        TaskText.Field(o, "goal", a.Goal);
        TaskText.Field(o, "requested by", a.RequestedBy is null ? a.Caller : $"{a.RequestedBy} (via {a.Caller})");
        TaskText.Field(o, "created", a.CreatedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss"));
        TaskText.Field(o, "expires", a.ExpiresAt?.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss"));
        TaskText.Field(o, "decided by", a.DecidedBy is null ? null : $"{a.DecidedBy} at {a.DecidedAt?.ToLocalTime():yyyy-MM-dd HH:mm:ss}");
        TaskText.Field(o, "reason", a.Reason);
        TaskText.Field(o, "log entry", a.DecisionLogIndex?.ToString());
        TaskText.Field(o, "transaction", a.TxHash);
        TaskText.Field(o, "error", a.ErrorCode is null ? null : $"{a.ErrorCode}: {a.ErrorMessage}");
    }
}
