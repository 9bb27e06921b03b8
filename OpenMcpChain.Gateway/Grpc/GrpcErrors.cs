using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using OpenMcpChain.Sdk.Contracts;
using Status = Google.Rpc.Status;

namespace OpenMcpChain.Gateway.Grpc;

/// <summary>
/// The REST API's coded errors as gRPC statuses: the HTTP status picks the gRPC code, and the stable code travels in
/// the rich status details (<c>google.rpc.ErrorInfo</c>, reason = the code) and in the <c>error-code</c> trailer.
/// </summary>
public static class GrpcErrors
{
    public const string CodeTrailer = "error-code";
    public const string Domain = "openmcp-chain";

    public static StatusCode ToStatusCode(int httpStatus) => httpStatus switch
    {
        400 or 413 or 414 or 422 or 431 => StatusCode.InvalidArgument,
        401 => StatusCode.Unauthenticated,
        403 => StatusCode.PermissionDenied,
        404 => StatusCode.NotFound,
        405 => StatusCode.Unimplemented,
        408 => StatusCode.DeadlineExceeded,
        409 => StatusCode.FailedPrecondition,
        429 => StatusCode.ResourceExhausted,
        502 or 503 or 504 => StatusCode.Unavailable,
        _ => StatusCode.Internal,
    };

    public static RpcException Exception(int httpStatus, string code, string message)
    {
        var status = new Status
        {
            Code = (int)ToStatusCode(httpStatus),
            Message = message,
            Details = { Any.Pack(new ErrorInfo { Reason = code, Domain = Domain }) },
        };
        var exception = status.ToRpcException();
        exception.Trailers.Add(CodeTrailer, code);
        return exception;
    }

    /// <summary>A request field that cannot be what it says, caught before anything is sent on.</summary>
    public static RpcException InvalidArgument(string message) => Exception(400, ErrorCodes.InvalidArgument, message);
}
