using OpenMcpChain.Gateway.Auth;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();
builder.Services.AddOpenApi("gateway"); // /openapi/gateway.json: the token endpoint

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapOpenApi();
app.UseGatewayAuth();
app.MapTokenApi();
app.MapAuthorizeApi();
app.MapSignInPage();
app.MapRegistrationApi();
app.MapResourceMetadataApi();
app.MapPublicApi();

app.Run();
