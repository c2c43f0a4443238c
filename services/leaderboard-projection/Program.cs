using CommunityEvals.LeaderboardProjection.Exports;
using CommunityEvals.LeaderboardProjection.Arena;
using CommunityEvals.LeaderboardProjection.Benchmarks;
using CommunityEvals.LeaderboardProjection.Discussions;
using CommunityEvals.LeaderboardProjection.Feed;
using CommunityEvals.LeaderboardProjection.Leaderboards;
using CommunityEvals.LeaderboardProjection.Maintenance;
using CommunityEvals.LeaderboardProjection.Models;
using CommunityEvals.LeaderboardProjection.Results;
using CommunityEvals.LeaderboardProjection.ScoreChanges;
using CommunityEvals.Platform.Http;
using CommunityEvals.Platform.Identity;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();
builder.Services.AddApiDocument();
builder.AddGatewayIdentity();

var app = builder.Build();

app.UseProblemDocuments();
app.UseSingleValuedQuery("expand", "filter");
// Who is calling, from the identity the gateway signed, before anything uses it.
app.UseGatewayIdentity();
app.MapDefaultEndpoints();
app.MapApiDocument();
app.MapFeedApi();
app.MapDiscussionsApi();
app.MapBenchmarksApi();
app.MapModelsApi();
app.MapResultsApi();
app.MapLeaderboardsApi();
app.MapExportsApi();
app.MapArenaApi();
app.MapScoreChangeStream();
app.MapRebuildApi();

app.Run();
