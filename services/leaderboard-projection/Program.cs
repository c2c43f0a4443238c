using CommunityEvals.LeaderboardProjection.Benchmarks;
using CommunityEvals.LeaderboardProjection.Discussions;
using CommunityEvals.LeaderboardProjection.Feed;
using CommunityEvals.LeaderboardProjection.Leaderboards;
using CommunityEvals.LeaderboardProjection.Maintenance;
using CommunityEvals.LeaderboardProjection.Models;
using CommunityEvals.LeaderboardProjection.Results;
using CommunityEvals.LeaderboardProjection.ScoreChanges;
using CommunityEvals.Platform.Http;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseProblemDocuments();
app.UseSingleValuedQuery("expand", "filter");
app.MapDefaultEndpoints();
app.MapFeedApi();
app.MapDiscussionsApi();
app.MapBenchmarksApi();
app.MapModelsApi();
app.MapResultsApi();
app.MapLeaderboardsApi();
app.MapScoreChangeStream();
app.MapRebuildApi();

app.Run();
