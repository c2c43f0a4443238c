using CommunityEvals.Ingestion.Accounts;
using CommunityEvals.Ingestion.Commits;
using CommunityEvals.Ingestion.Repos;
using CommunityEvals.Platform.Http;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseProblemDocuments();
app.UseIdempotency();
app.MapDefaultEndpoints();
app.MapAccountsApi();
app.MapReposApi();
app.MapCommitsApi();

app.Run();
