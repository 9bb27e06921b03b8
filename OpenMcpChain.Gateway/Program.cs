using OpenMcpChain.Gateway.Auth;
using OpenMcpChain.Gateway.Edge;
using OpenMcpChain.Gateway.OpenApi;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseEdgeLimits();
app.MapDefaultEndpoints();
app.UseCors(); // before authentication: a browser's preflight carries no token
app.UseGatewayAuth();
app.MapTokenApi();
app.MapAuthorizeApi();
app.MapSignInPage();
app.MapRegistrationApi();
app.MapResourceMetadataApi();
app.MapApiReference();
app.MapPublicApi();

app.Run();
