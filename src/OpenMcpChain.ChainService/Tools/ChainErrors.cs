using ModelContextProtocol;

namespace OpenMcpChain.ChainService.Tools;

/// <summary>The stable error codes of the chain tools.</summary>
public static class ChainErrorCodes
{
    public const string InvalidAddress = "INVALID_ADDRESS";
    public const string InvalidArgument = "INVALID_ARGUMENT";
    public const string UnknownNetwork = "UNKNOWN_NETWORK";
    public const string RpcUnavailable = "RPC_UNAVAILABLE";
}

/// <summary>A tool failure the caller can act on; MCP returns it as an error result whose text starts with the code.</summary>
public sealed class ChainToolException(string code, string message) : McpException($"{code}: {message}")
{
    public string Code { get; } = code;
}
