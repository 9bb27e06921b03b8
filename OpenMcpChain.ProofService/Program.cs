var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();
builder.AddApiDocs(); // /openapi/v1.json: the Gateway publishes its public part as /openapi/proofs.json

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapSignerApi();
app.MapAttestationsApi();
app.MapLogApi();
app.MapBundlesApi();

app.Run();
