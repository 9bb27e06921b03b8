using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using OpenMcpChain.AgentService.Infrastructure;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.AgentService.Queue;

/// <summary>
/// Follows the approval requests parked tasks wait for. Approved and executed: the task goes back to pending and continues
/// its recorded conversation — nothing before the park point is read or asked again; the parked write, asked again under
/// its own key, answers with the transaction the approval sent, and the model is asked only for what follows.
/// Rejected: the task ends <c>rejected</c>; expired undecided: <c>rejected</c> with APPROVAL_EXPIRED. Approved but not
/// executable: the task fails with the write's error code. A task moves on only once the decision has its own entry in
/// the transparency log, so the attestation sealed at the task's end commits to who decided and why.
/// </summary>
public sealed class ApprovalWatcher(IServiceScopeFactory scopes, IHttpClientFactory httpClients, ILogger<ApprovalWatcher> logger)
    : PeriodicWorker(TimeSpan.FromSeconds(1), logger)
{
    public const string HttpClientName = "chain-api";
    private static readonly string[] Awaiting = [TaskStatuses.AwaitingApproval];

    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AgentDbContext>();
        var transitions = scope.ServiceProvider.GetRequiredService<TaskTransitions>();
        var parked = await db.Tasks.AsNoTracking().Where(t => t.Status == TaskStatuses.AwaitingApproval && t.ApprovalId != null)
            .OrderBy(t => t.UpdatedAt).Select(t => new { t.Id, t.ApprovalId }).Take(100).ToListAsync(ct);
        var http = httpClients.CreateClient(HttpClientName);
        foreach (var task in parked)
        {
            using var response = await http.GetAsync($"/api/approvals/{task.ApprovalId}", ct);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                await transitions.MoveAsync(task.Id, Awaiting, TaskStatuses.Failed, "approval request missing", s => s
                    .SetProperty(t => t.ErrorCode, ChainErrorCodes.ApprovalNotFound).SetProperty(t => t.ErrorMessage, $"Approval request {task.ApprovalId} does not exist."));
                continue;
            }
            response.EnsureSuccessStatusCode();
            var approval = (await response.Content.ReadFromJsonAsync<ApprovalResponse>(OpenMcpChainJson.Options, ct))!;
            if (approval.DecisionLogIndex is null) continue;
            if (approval.Status == ApprovalStatuses.Expired)
            {
                await transitions.MoveAsync(task.Id, Awaiting, TaskStatuses.Rejected, "approval expired", s => s
                    .SetProperty(t => t.ErrorCode, ChainErrorCodes.ApprovalExpired)
                    .SetProperty(t => t.ErrorMessage, $"Approval request {task.ApprovalId} expired undecided at {approval.ExpiresAt:u}."));
            }
            else if (approval.Status == ApprovalStatuses.Rejected)
            {
                var message = $"Approval request {task.ApprovalId} was rejected by {approval.DecidedBy}{(approval.Reason is null ? "" : $": {approval.Reason}")}.";
                await transitions.MoveAsync(task.Id, Awaiting, TaskStatuses.Rejected, $"rejected by {approval.DecidedBy}", s => s
                    .SetProperty(t => t.ErrorCode, ErrorCodes.ApprovalRejected)
                    .SetProperty(t => t.ErrorMessage, message));
            }
            else if (approval.Status == ApprovalStatuses.Approved && approval.TxHash is not null)
            {
                await transitions.MoveAsync(task.Id, Awaiting, TaskStatuses.Pending, $"approved by {approval.DecidedBy}", s => s
                    .SetProperty(t => t.EnqueuedAt, (DateTimeOffset?)null));
            }
            else if (approval.Status == ApprovalStatuses.Approved && approval.ErrorCode is { } code)
            {
                // Approved, but ChainService could not send it: the task fails with the write's own stable code.
                var message = $"Approval request {task.ApprovalId} was approved, but the write was not sent: {approval.ErrorMessage}";
                await transitions.MoveAsync(task.Id, Awaiting, TaskStatuses.Failed, "approved write not executed", s => s
                    .SetProperty(t => t.ErrorCode, code).SetProperty(t => t.ErrorMessage, message));
            }
        }
    }
}
