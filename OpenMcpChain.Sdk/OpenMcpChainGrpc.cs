using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace OpenMcpChain.Sdk;

/// <summary>
/// The gRPC client beside the REST one: the generated clients (<c>OpenMcpChain.Sdk.Grpc</c>, from <c>Protos/*.proto</c>)
/// over a channel to the Gateway's gRPC endpoint (<c>http://127.0.0.1:8081</c> locally), each call with a bearer token.
/// </summary>
public static class OpenMcpChainGrpc
{
    /// <summary>
    /// Calls on <paramref name="channel"/> carrying <c>authorization: Bearer …</c> with the token <paramref name="token"/>
    /// gives at each call (so a renewed token is used at once). Pass the result to a generated client's constructor.
    /// Metadata rather than call credentials: those are withheld on a cleartext channel.
    /// </summary>
    public static CallInvoker WithBearer(this GrpcChannel channel, Func<string> token) =>
        channel.Intercept(metadata =>
        {
            metadata.Add("authorization", $"Bearer {token()}");
            return metadata;
        });
}
