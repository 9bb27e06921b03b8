using System.Globalization;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.AgentService.Apis;

/// <summary>
/// The filters of <c>GET /api/v1/tasks</c> and <c>/stats</c>, read as the original daemon read them: paging and status as
/// every list reads them (<see cref="ListQuery"/>), the rest here; an empty value is absent, each bad value has its own code.
/// </summary>
public sealed record TaskQuery(
    int Limit, int Offset, IReadOnlyList<string> Statuses, DateTimeOffset? Since, DateTimeOffset? Until,
    bool? HasResult, bool Ascending, string? Text)
{
    public static (TaskQuery? Query, ListQuery.Invalid? Error) Parse(IQueryCollection query)
    {
        if (ListQuery.TryPaging(query, out var limit, out var offset) is { } badPage) return (null, badPage);
        if (ListQuery.TryStatuses(query, TaskStatuses.All, out var statuses) is { } badStatus) return (null, badStatus);

        DateTimeOffset? since = null, until = null;
        if (ListQuery.First(query, "since") is { } s1)
        {
            if (!TryRfc3339(s1, out var value)) return (null, new(ErrorCodes.InvalidSince, "since must be an RFC 3339 time, e.g. 2026-01-31T12:00:00Z."));
            since = value;
        }
        if (ListQuery.First(query, "until") is { } u)
        {
            if (!TryRfc3339(u, out var value)) return (null, new(ErrorCodes.InvalidUntil, "until must be an RFC 3339 time, e.g. 2026-01-31T12:00:00Z."));
            until = value;
        }
        if (since > until)
            return (null, new(ErrorCodes.InvalidUntil, "until must not be earlier than since."));

        bool? hasResult = null;
        if (ListQuery.First(query, "has_result") is { } h)
        {
            if (!TryGoBool(h, out var value)) return (null, new(ErrorCodes.InvalidHasResult, "has_result must be a boolean: true, false, 1, 0, t or f."));
            hasResult = value;
        }
        var order = ListQuery.First(query, "order")?.ToLowerInvariant();
        if (order is not (null or "asc" or "desc"))
            return (null, new(ErrorCodes.InvalidOrder, "order must be asc or desc."));
        var text = query["q"].ToString().Trim();
        return (new TaskQuery(limit, offset, statuses, since, until, hasResult, order == "asc", text.Length == 0 ? null : text), null);
    }

    /// <summary>As Go's <c>strconv.ParseBool</c>.</summary>
    private static bool TryGoBool(string text, out bool value)
    {
        (var known, value) = text switch
        {
            "1" or "t" or "T" or "TRUE" or "true" or "True" => (true, true),
            "0" or "f" or "F" or "FALSE" or "false" or "False" => (true, false),
            _ => (false, false),
        };
        return known;
    }

    private static readonly string[] Rfc3339 = ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"];

    /// <summary>As Go's <c>time.Parse(time.RFC3339, …)</c>: a date, a time and a zone (<c>Z</c> or <c>±hh:mm</c>).</summary>
    private static bool TryRfc3339(string text, out DateTimeOffset value)
    {
        value = default;
        var zoned = text.EndsWith('Z') || text.Length > 6 && text[^6] is '+' or '-';
        return zoned && DateTimeOffset.TryParseExact(text, Rfc3339, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value);
    }
}
