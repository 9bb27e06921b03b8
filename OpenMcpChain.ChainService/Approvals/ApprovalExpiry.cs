using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenMcpChain.ChainService.Infrastructure;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.ChainService.Approvals;

/// <summary>
/// Marks pending approval requests past their <c>ExpiresAt</c> as <c>expired</c> (decided by <c>system</c>), which the
/// log forwarder then records like any decision. Each request changes once, atomically, so replicas may all run this.
/// </summary>
public sealed class ApprovalExpiry(IServiceScopeFactory scopes, ApprovalEvents events, ILogger<ApprovalExpiry> logger)
    : PeriodicWorker(TimeSpan.FromSeconds(1), logger)
{
    public const string Decider = "system";

    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChainDbContext>();
        var now = DateTimeOffset.UtcNow;
        var overdue = await db.Approvals.AsNoTracking()
            .Where(a => a.Status == ApprovalStatuses.Pending && a.ExpiresAt != null && a.ExpiresAt <= now)
            .OrderBy(a => a.ExpiresAt).Take(100).ToListAsync(ct);
        foreach (var approval in overdue)
        {
            var changed = await db.Approvals.Where(a => a.Id == approval.Id && a.Status == ApprovalStatuses.Pending).ExecuteUpdateAsync(s => s
                .SetProperty(a => a.Status, ApprovalStatuses.Expired)
                .SetProperty(a => a.DecidedBy, Decider)
                .SetProperty(a => a.DecidedAt, now), ct);
            if (changed == 0) continue;
            logger.LogInformation("Approval request {ApprovalId} expired undecided", approval.Id);
            // The row now holds what the update wrote: announce it without reading it back.
            (approval.Status, approval.DecidedBy, approval.DecidedAt) = (ApprovalStatuses.Expired, Decider, now);
            Telemetry.ChainTelemetry.Decided(ApprovalStatuses.Expired, approval.CreatedAt, now);
            await events.PublishAsync(ApprovalEvent.Decided, approval);
        }
    }
}
