using OpenMcpChain.Gateway.Grpc;
using OpenMcpChain.Sdk.Contracts;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// The gRPC API (contract: OpenMcpChain.Sdk/Protos) on its own h2c endpoint, with gRPC health checking and server
/// reflection. Each call is translated to the same REST call on this Gateway (<see cref="RestBridge"/>): simpler than
/// a gRPC server in each service proxied by YARP, since the services, their auth and their routes stay as they are.
/// </summary>
public static class GrpcApi
{
    public static void AddGrpcApi(this WebApplicationBuilder builder)
    {
        builder.AddGrpcEndpoint();
        builder.Services.AddSingleton<RestBridge>();
        builder.Services.AddGrpc(options => options.MaxReceiveMessageSize = (int)SizeLimits.DefaultBodyBytes);
        builder.Services.AddGrpcReflection();
        // grpc.health.v1 reports the Gateway's health checks (the same ones /health runs).
        builder.Services.AddGrpcHealthChecks();
    }

    public static WebApplication MapGrpcApi(this WebApplication app)
    {
        app.UseMalformedMessageCheck();
        app.MapGrpcService<TaskGrpcService>();
        app.MapGrpcService<ApprovalGrpcService>();
        app.MapGrpcService<AuditGrpcService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        return app;
    }
}
