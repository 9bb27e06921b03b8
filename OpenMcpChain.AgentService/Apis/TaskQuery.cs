using System.Globalization;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.AgentService.Apis;

/// <summary>
/// The filters of <c>GET /api/v1/tasks</c> and <c>/stats</c>, read as the original daemon read them: an empty value is
/// absent, the first of repeated values counts, <c>limit</c> over 100 is capped, and each bad value has its own code.
/// </summary>
public sealed record TaskQuery(
    int Limit, int Offset, IReadOnlyList<string> Statuses, DateTimeOffset? Since, DateTimeOffset? Until,
    bool? HasResult, bool Ascending, string? Text)
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    /// <summary>A filter value the daemon's clients would have been refused for, with the original's code.</summary>
    public sealed record Invalid(string Code, string Message);

    public static (TaskQuery? Query, Invalid? Error) Parse(IQueryCollection query)
    {
        var limit = DefaultLimit;
        if (First(query, "limit") is { } l)
        {
            if (!TryInteger(l, out limit) || limit < 1)
                return (null, new(ErrorCodes.InvalidLimit, $"limit must be a positive integer (at most {MaxLimit} are returned)."));
            limit = Math.Min(limit, MaxLimit);
        }
        var offset = 0;
        if (First(query, "offset") is { } o && (!TryInteger(o, out offset) || offset < 0))
            return (null, new(ErrorCodes.InvalidOffset, "offset must be a non-negative integer."));

        var statuses = query["status"].SelectMany(s => (s ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(s => s.ToLowerInvariant()).Distinct().ToList();
        var unknown = statuses.FirstOrDefault(s => !TaskStatuses.All.Contains(s));
        if (unknown is not null)
            return (null, new(ErrorCodes.InvalidStatus, $"status '{unknown}' is not one of {string.Join(", ", TaskStatuses.All)}."));

        DateTimeOffset? since = null, until = null;
        if (First(query, "since") is { } s1)
        {
            if (!TryRfc3339(s1, out var value)) return (null, new(ErrorCodes.InvalidSince, "since must be an RFC 3339 time, e.g. 2026-01-31T12:00:00Z."));
            since = value;
        }
        if (First(query, "until") is { } u)
        {
            if (!TryRfc3339(u, out var value)) return (null, new(ErrorCodes.InvalidUntil, "until must be an RFC 3339 time, e.g. 2026-01-31T12:00:00Z."));
            until = value;
        }
        if (since > until)
            return (null, new(ErrorCodes.InvalidUntil, "until must not be earlier than since."));

        bool? hasResult = null;
        if (First(query, "has_result") is { } h)
        {
            if (!TryGoBool(h, out var value)) return (null, new(ErrorCodes.InvalidHasResult, "has_result must be a boolean: true, false, 1, 0, t or f."));
            hasResult = value;
        }
        var order = First(query, "order")?.ToLowerInvariant();
        if (order is not (null or "asc" or "desc"))
            return (null, new(ErrorCodes.InvalidOrder, "order must be asc or desc."));
        var text = query["q"].ToString().Trim();
        return (new TaskQuery(limit, offset, statuses, since, until, hasResult, order == "asc", text.Length == 0 ? null : text), null);
    }

    /// <summary>The first value of a parameter; null when it is absent or empty (the daemon read <c>?limit=</c> as no limit).</summary>
    private static string? First(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values) && values is [{ Length: > 0 } first, ..] ? first : null;

    /// <summary>As Go's <c>strconv.Atoi</c>: an optional sign and decimal digits, nothing else.</summary>
    private static bool TryInteger(string text, out int value) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

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
