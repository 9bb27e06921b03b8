using System.Globalization;
using Microsoft.AspNetCore.Http;
using OpenMcpChain.Sdk.Contracts;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The paging and status filters every list reads as the original daemon read its task list: an empty value is
/// absent, the first of repeated values counts, <c>limit</c> 1–100 (default 20, more is capped), <c>offset</c> ≥ 0,
/// <c>status</c> repeatable or comma-separated; each bad value has its own code.
/// </summary>
public static class ListQuery
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    /// <summary>A filter value the daemon's clients would have been refused for, with the original's code.</summary>
    public sealed record Invalid(string Code, string Message);

    /// <summary><c>limit</c> and <c>offset</c>; null when both are acceptable.</summary>
    public static Invalid? TryPaging(IQueryCollection query, out int limit, out int offset)
    {
        (limit, offset) = (DefaultLimit, 0);
        if (First(query, "limit") is { } l)
        {
            if (!TryInteger(l, out limit) || limit < 1)
                return new(ErrorCodes.InvalidLimit, $"limit must be a positive integer (at most {MaxLimit} are returned).");
            limit = Math.Min(limit, MaxLimit);
        }
        if (First(query, "offset") is { } o && (!TryInteger(o, out offset) || offset < 0))
            return new(ErrorCodes.InvalidOffset, "offset must be a non-negative integer.");
        return null;
    }

    /// <summary>The <c>status</c> values, lower-cased and distinct; null when each is one of <paramref name="known"/>.</summary>
    public static Invalid? TryStatuses(IQueryCollection query, IReadOnlyList<string> known, out List<string> statuses)
    {
        statuses = query["status"].SelectMany(s => (s ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(s => s.ToLowerInvariant()).Distinct().ToList();
        return statuses.FirstOrDefault(s => !known.Contains(s)) is { } unknown
            ? new(ErrorCodes.InvalidStatus, $"status '{unknown}' is not one of {string.Join(", ", known)}.")
            : null;
    }

    /// <summary>The first value of a parameter; null when it is absent or empty (the daemon read <c>?limit=</c> as no limit).</summary>
    public static string? First(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values) && values is [{ Length: > 0 } first, ..] ? first : null;

    /// <summary>As Go's <c>strconv.Atoi</c>: an optional sign and decimal digits, nothing else.</summary>
    private static bool TryInteger(string text, out int value) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
}
