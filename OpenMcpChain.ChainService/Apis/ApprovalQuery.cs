using System.Globalization;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.ChainService.Apis;

/// <summary>
/// The filters of <c>GET /api/approvals</c>, paged as the task list is: <c>limit</c> 1–100 (default 20, more is capped),
/// <c>offset</c> ≥ 0, <c>status</c> repeatable or comma-separated, an empty value counts as absent; each bad value has the
/// task list's code.
/// </summary>
public sealed record ApprovalQuery(int Limit, int Offset, IReadOnlyList<string> Statuses, string? TaskId, string? RequestedBy, string? Caller)
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    public sealed record Invalid(string Code, string Message);

    public static (ApprovalQuery? Query, Invalid? Error) Parse(IQueryCollection query)
    {
        var limit = DefaultLimit;
        if (First(query, "limit") is { } l)
        {
            if (!int.TryParse(l, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out limit) || limit < 1)
                return (null, new(ErrorCodes.InvalidLimit, $"limit must be a positive integer (at most {MaxLimit} are returned)."));
            limit = Math.Min(limit, MaxLimit);
        }
        var offset = 0;
        if (First(query, "offset") is { } o && (!int.TryParse(o, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out offset) || offset < 0))
            return (null, new(ErrorCodes.InvalidOffset, "offset must be a non-negative integer."));
        var statuses = query["status"].SelectMany(s => (s ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(s => s.ToLowerInvariant()).Distinct().ToList();
        if (statuses.FirstOrDefault(s => !ApprovalStatuses.All.Contains(s)) is { } unknown)
            return (null, new(ErrorCodes.InvalidStatus, $"status '{unknown}' is not one of {string.Join(", ", ApprovalStatuses.All)}."));
        return (new ApprovalQuery(limit, offset, statuses, First(query, "task_id"), First(query, "requested_by"), First(query, "caller")), null);
    }

    private static string? First(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values) && values is [{ Length: > 0 } first, ..] ? first : null;
}
