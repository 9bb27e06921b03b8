using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.ChainService.Apis;

/// <summary>
/// The filters of <c>GET /api/approvals</c>, paged and filtered by status as the task list is (<see cref="ListQuery"/>),
/// with the task list's codes.
/// </summary>
public sealed record ApprovalQuery(int Limit, int Offset, IReadOnlyList<string> Statuses, string? TaskId, string? RequestedBy, string? Caller)
{
    public static (ApprovalQuery? Query, ListQuery.Invalid? Error) Parse(IQueryCollection query)
    {
        if (ListQuery.TryPaging(query, out var limit, out var offset) is { } badPage) return (null, badPage);
        if (ListQuery.TryStatuses(query, ApprovalStatuses.All, out var statuses) is { } badStatus) return (null, badStatus);
        return (new ApprovalQuery(limit, offset, statuses, ListQuery.First(query, "task_id"), ListQuery.First(query, "requested_by"),
            ListQuery.First(query, "caller")), null);
    }
}
