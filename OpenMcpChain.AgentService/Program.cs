var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();
builder.Services.AddOpenApi(); // /openapi/v1.json: the public task API (the Gateway serves it as /openapi/tasks.json)

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapTasksApiV1();
app.MapProfilesApiV1();

app.Run();
