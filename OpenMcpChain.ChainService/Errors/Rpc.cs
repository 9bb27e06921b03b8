using Nethereum.JsonRpc.Client;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.ChainService.Errors;

/// <summary>Calls a network's JSON-RPC endpoint; a node that does not answer is <see cref="ChainErrorCodes.RpcUnavailable"/>.</summary>
public static class Rpc
{
    public static async Task<T> CallAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            throw Unavailable();
        }
    }

    /// <summary>True when the node did not answer at all (as opposed to answering with an error).</summary>
    public static bool IsUnavailable(Exception e) => e is RpcClientUnknownException or RpcClientTimeoutException or HttpRequestException;

    public static ChainToolException Unavailable() =>
        new(ChainErrorCodes.RpcUnavailable, "The network's JSON-RPC endpoint did not answer.");
}
