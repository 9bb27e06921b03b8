using OpenMcpChain.Gateway.Auth;
using OpenMcpChain.Gateway.Edge;
using OpenMcpChain.Gateway.OpenApi;
using OpenMcpChain.Gateway.WebConsole;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults(publicEdge: true); // a caller joins its trace, but cannot turn tracing off
builder.AddApplicationServices();
builder.AddGrpcApi();

var app = builder.Build();

app.UseEdgeLimits();
app.UseNoTaskContextFromCallers();
app.UseConsole(); // the web console at / (static files), before routing
app.MapDefaultEndpoints(publicEdge: true); // its /metrics only when Telemetry:ServeMetrics is true
app.UseCors(); // before authentication: a browser's preflight carries no token
app.UseGatewayAuth();
app.MapTokenApi();
app.MapAuthorizeApi();
app.MapSignInPage();
app.MapRegistrationApi();
app.MapResourceMetadataApi();
app.MapApiReference();
app.MapGrpcApi();
app.MapPublicApi();

app.Run();
