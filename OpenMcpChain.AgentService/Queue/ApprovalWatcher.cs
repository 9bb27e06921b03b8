using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpenMcpChain.AgentService.Infrastructure;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.AgentService.Queue;

/// <summary>
/// Follows the approval requests parked tasks wait for. Approved and executed: the task goes back to pending and runs
/// again — its reads are repeated, and its parked write, keyed per step, returns the transaction the approval sent.
/// Rejected: the task ends <c>rejected</c>. Approved but not executable: the task fails with the reason.
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
                    .SetProperty(t => t.ErrorCode, "APPROVAL_NOT_FOUND").SetProperty(t => t.ErrorMessage, $"Approval request {task.ApprovalId} does not exist."));
                continue;
            }
            response.EnsureSuccessStatusCode();
            var approval = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
            var status = approval.GetProperty("status").GetString();
            var decidedBy = approval.TryGetProperty("decided_by", out var by) ? by.GetString() : null;
            var reason = approval.TryGetProperty("reason", out var r) ? r.GetString() : null;
            var sent = approval.TryGetProperty("tx_hash", out var tx) && tx.ValueKind == JsonValueKind.String;
            if (status == "rejected")
            {
                var message = $"Approval request {task.ApprovalId} was rejected by {decidedBy}{(reason is null ? "" : $": {reason}")}.";
                await transitions.MoveAsync(task.Id, Awaiting, TaskStatuses.Rejected, $"rejected by {decidedBy}", s => s
                    .SetProperty(t => t.ErrorCode, ErrorCodes.ApprovalRejected)
                    .SetProperty(t => t.ErrorMessage, message));
            }
            else if (status == "approved" && sent)
            {
                await transitions.MoveAsync(task.Id, Awaiting, TaskStatuses.Pending, $"approved by {decidedBy}", s => s
                    .SetProperty(t => t.EnqueuedAt, (DateTimeOffset?)null));
            }
            else if (status == "approved" && reason?.StartsWith("approved, but not executed", StringComparison.Ordinal) == true)
            {
                await transitions.MoveAsync(task.Id, Awaiting, TaskStatuses.Failed, "approved write not executed", s => s
                    .SetProperty(t => t.ErrorCode, "APPROVED_WRITE_FAILED").SetProperty(t => t.ErrorMessage, reason));
            }
        }
    }
}
