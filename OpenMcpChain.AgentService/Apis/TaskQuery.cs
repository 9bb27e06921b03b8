using System.Globalization;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.AgentService.Apis;

/// <summary>The filters of <c>GET /api/v1/tasks</c> and <c>/stats</c>, parsed with a clear message for each bad value.</summary>
public sealed record TaskQuery(
    int Limit, int Offset, IReadOnlyList<string> Statuses, DateTimeOffset? Since, DateTimeOffset? Until,
    bool? HasResult, bool Ascending, string? Text)
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    public static (TaskQuery? Query, string? Error) Parse(IQueryCollection query)
    {
        var limit = DefaultLimit;
        if (query.TryGetValue("limit", out var l) && (!int.TryParse(l, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
            return (null, $"limit must be an integer from 1 to {MaxLimit}.");
        var offset = 0;
        if (query.TryGetValue("offset", out var o) && (!int.TryParse(o, CultureInfo.InvariantCulture, out offset) || offset < 0))
            return (null, "offset must be a non-negative integer.");

        var statuses = query["status"].SelectMany(s => (s ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(s => s.ToLowerInvariant()).Distinct().ToList();
        var unknown = statuses.FirstOrDefault(s => !TaskStatuses.All.Contains(s));
        if (unknown is not null)
            return (null, $"status '{unknown}' is not one of {string.Join(", ", TaskStatuses.All)}.");

        if (!TryTime(query, "since", out var since) || !TryTime(query, "until", out var until))
            return (null, "since and until must be RFC 3339 times, e.g. 2026-01-31T12:00:00Z.");
        if (since > until)
            return (null, "since must not be later than until.");

        bool? hasResult = null;
        if (query.TryGetValue("has_result", out var h))
        {
            if (!bool.TryParse(h, out var value)) return (null, "has_result must be true or false.");
            hasResult = value;
        }
        var order = query["order"].ToString().ToLowerInvariant();
        if (order is not ("" or "asc" or "desc"))
            return (null, "order must be asc or desc.");
        var text = query["q"].ToString().Trim();
        return (new TaskQuery(limit, offset, statuses, since, until, hasResult, order == "asc", text.Length == 0 ? null : text), null);
    }

    private static bool TryTime(IQueryCollection query, string name, out DateTimeOffset? value)
    {
        value = null;
        if (!query.TryGetValue(name, out var raw) || string.IsNullOrWhiteSpace(raw)) return true;
        if (!DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)) return false;
        value = parsed;
        return true;
    }
}
