using CommunityEvals.Ingestion.Accounts;
using CommunityEvals.Ingestion.Benchmarks;
using CommunityEvals.Ingestion.Commits;
using CommunityEvals.Ingestion.Discussions;
using CommunityEvals.Ingestion.Hiding;
using CommunityEvals.Ingestion.Repos;
using CommunityEvals.Platform.Http;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseProblemDocuments();
app.UseSingleValuedQuery();
app.UseIdempotency();
app.MapDefaultEndpoints();
app.MapAccountsApi();
app.MapReposApi();
app.MapCommitsApi();
app.MapDiscussionsApi();
app.MapHidingApi();
app.MapBenchmarksApi();

app.Run();
