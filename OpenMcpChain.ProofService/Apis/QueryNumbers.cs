using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using OpenMcpChain.Sdk.Contracts;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// Integer query parameters read by hand rather than bound by the framework, whose refusal names the .NET parameter
/// (<c>long? treeSize</c>); here a bad value gets a coded 400 naming the parameter as the API spells it.
/// </summary>
internal static class QueryNumbers
{
    /// <summary>Reads <paramref name="name"/> (null when absent); a non-integer, a repeat or a value outside [min, max] is the returned 400.</summary>
    public static ProblemHttpResult? Read(this IQueryCollection query, string name, long min, long max, out long? value)
    {
        value = null;
        if (!query.TryGetValue(name, out var raw)) return null;
        if (raw.Count != 1 || !long.TryParse(raw[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed)
            || parsed < min || parsed > max)
            return ApiErrors.Problem(400, ErrorCodes.InvalidArgument, $"{name} must be one integer from {min} to {max}.");
        value = parsed;
        return null;
    }
}
