using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.Cli;

/// <summary>What <c>openmcp</c> exits with, so scripts can tell the outcomes apart.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The API answered an error (its code is printed), the server could not be reached, or the command line was wrong.</summary>
    public const int Error = 1;
    public const int Failed = 2;
    public const int Rejected = 3;
    public const int Cancelled = 4;
    /// <summary>The task waits for a person to approve its write (<c>submit --follow --no-wait</c>).</summary>
    public const int AwaitingApproval = 5;
    /// <summary><c>verify</c>: at least one check did not hold.</summary>
    public const int NotVerified = 6;

    public static int ForStatus(string status) => status switch
    {
        TaskStatuses.Succeeded => Ok,
        TaskStatuses.Failed => Failed,
        TaskStatuses.Rejected => Rejected,
        TaskStatuses.Cancelled => Cancelled,
        TaskStatuses.AwaitingApproval => AwaitingApproval,
        _ => Ok,
    };
}
