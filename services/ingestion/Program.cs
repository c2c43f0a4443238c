using CommunityEvals.Ingestion.Access;
using CommunityEvals.Ingestion.Accounts;
using CommunityEvals.Ingestion.Files;
using CommunityEvals.Ingestion.Benchmarks;
using CommunityEvals.Ingestion.Commits;
using CommunityEvals.Ingestion.Discussions;
using CommunityEvals.Ingestion.Hiding;
using CommunityEvals.Ingestion.Repos;
using CommunityEvals.Platform.Http;
using CommunityEvals.Platform.Identity;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();
builder.Services.AddApiDocument();
builder.AddGatewayIdentity();

var app = builder.Build();

app.UseProblemDocuments();
app.UseSingleValuedQuery();
// Who is calling, from the identity the gateway signed, before anything uses it.
app.UseGatewayIdentity();
app.UseIdempotency();
app.MapDefaultEndpoints();
app.MapApiDocument();
app.MapAccountsApi();
app.MapTokensApi();
app.MapReposApi();
app.MapCommitsApi();
app.MapDiscussionsApi();
app.MapHidingApi();
app.MapBenchmarksApi();
app.MapFilesApi();
app.MapLfsApi();
app.MapAccessApi();

app.Run();
