namespace OpenMcpChain.Sdk.Contracts;

/// <summary>
/// The documented size limits of the public API (README, "Size limits"). Over them the Gateway answers 413
/// <c>PAYLOAD_TOO_LARGE</c>, 414 <c>URI_TOO_LONG</c> or 431 <c>HEADERS_TOO_LARGE</c>, before anything is forwarded.
/// </summary>
public static class SizeLimits
{
    private const int KiB = 1024;
    private const int MiB = 1024 * KiB;

    /// <summary><c>POST /api/v1/tasks</c>: a goal of up to 4000 characters and its metadata.</summary>
    public const long TaskBodyBytes = 64 * KiB;
    /// <summary><c>POST /api/v1/bundles/verify</c>: up to 1000 log entries with their inclusion proofs.</summary>
    public const long BundleBodyBytes = 8 * MiB;
    /// <summary><c>/mcp</c>: one JSON-RPC message.</summary>
    public const long McpBodyBytes = 1 * MiB;
    /// <summary>Every other route, the token endpoint included.</summary>
    public const long DefaultBodyBytes = 64 * KiB;
    /// <summary>The request target: path and query string together.</summary>
    public const int UrlBytes = 8 * KiB;
    /// <summary>All request headers together (names and values).</summary>
    public const int HeaderBytes = 32 * KiB;
    public const int HeaderCount = 100;
}
