namespace OpenMcpChain.Tests.Fuzz;

/// <summary>One hostile request to the Gateway, and what its answer must be beyond "below 500, coded when 4xx".</summary>
public sealed record FuzzCase(string Name, string Method, string Target)
{
    public byte[]? Body { get; init; }
    /// <summary>Sent as given, unvalidated; null sends no Content-Type.</summary>
    public string? ContentType { get; init; }
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];
    /// <summary>Sent without the fuzz user's bearer token.</summary>
    public bool Anonymous { get; init; }
    /// <summary>The body goes out chunked, with no Content-Length to judge it by.</summary>
    public bool Chunked { get; init; }
    /// <summary>For the cases the issue names: the exact status and code (no code for a success).</summary>
    public (int Status, string? Code)? Expect { get; init; }
    /// <summary>Kestrel refuses it in its request-line parser, before the application: an empty 400 (documented).</summary>
    public bool KestrelRejects { get; init; }
    /// <summary>An edited genuine bundle: a 200 must say <c>valid: false</c>.</summary>
    public bool BundleEdit { get; init; }

    public override string ToString() =>
        $"{Name}: {Method} {(Target.Length > 120 ? Target[..120] + "…" : Target)}{(ContentType is null ? "" : $" [{ContentType}]")}"
        + (Body is { Length: > 0 and <= 80 } body ? $" {System.Text.Encoding.UTF8.GetString(body)}" : Body is { Length: > 80 } ? $" ({Body.Length} bytes)" : "");
}
