namespace OpenMcpChain.Gateway.Auth;

/// <summary>The scopes of the public API; a route's policy names the one it needs.</summary>
public static class ScopeNames
{
    public const string TasksRead = "tasks:read";
    public const string TasksWrite = "tasks:write";
    /// <summary>The chain tools over MCP at <c>/mcp</c> (never granted by default).</summary>
    public const string ChainTools = "chain:tools";
    /// <summary>Approving or rejecting parked writes (<c>/api/v1/approvals</c>).</summary>
    public const string ApprovalsDecide = "approvals:decide";

    public static readonly string[] All = [TasksRead, TasksWrite, ChainTools, ApprovalsDecide];
}
