namespace OpenMcpChain.Sdk.Contracts;

/// <summary>Builds a query string (without the leading '?') from the parameters that have a value.</summary>
public static class QueryString
{
    public static string Of(params (string Name, string? Value)[] parameters) => string.Join('&',
        parameters.Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}"));
}
