using OpenMcpChain.Gateway.Auth;
using OpenMcpChain.Gateway.Edge;
using OpenMcpChain.Gateway.WebConsole;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();
builder.Services.AddOpenApi("gateway"); // /openapi/gateway.json: the token endpoint

var app = builder.Build();

app.UseEdgeLimits();
app.UseConsole(); // the web console at / (static files), before routing
app.MapDefaultEndpoints();
app.MapOpenApi("/openapi/{documentName:regex(^gateway$)}.json"); // any other name falls through to the coded 404
app.UseCors(); // before authentication: a browser's preflight carries no token
app.UseGatewayAuth();
app.MapTokenApi();
app.MapAuthorizeApi();
app.MapSignInPage();
app.MapRegistrationApi();
app.MapResourceMetadataApi();
app.MapPublicApi();

app.Run();
