using OpenMcpChain.ChainService.Callers;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();
builder.AddApiDocs(); // /openapi/v1.json (open, outside /api): the Gateway publishes the approvals part as /openapi/approvals.json

var app = builder.Build();
// The wallets load now: a configured key that is not one stops the service at start, naming the wallet, not at a write.
app.Services.GetRequiredService<OpenMcpChain.ChainService.Wallets.WalletRegistry>();

app.MapDefaultEndpoints();
app.MapOpenApi();
app.UseCallerAuthentication();
app.MapMcp("/mcp");
app.MapToolsApi();
app.MapApprovalsApi();
app.MapSubscriptionsApi();
app.MapContractsApi();

app.Run();

/// <summary>The entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
