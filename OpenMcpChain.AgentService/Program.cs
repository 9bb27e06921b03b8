var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();
builder.AddApiDocs(); // /openapi/v1.json: the Gateway publishes its public part as /openapi/tasks.json

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapTasksApiV1();
app.MapProfilesApiV1();

app.Run();
