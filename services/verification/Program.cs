using CommunityEvals.Platform.Http;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseProblemDocuments();
app.MapDefaultEndpoints();

app.Run();
