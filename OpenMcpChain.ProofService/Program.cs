var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapSignerApi();
app.MapAttestationsApi();
app.MapLogApi();
app.MapBundlesApi();

app.Run();
