using CommunityEvals.Gateway.Authentication;
using CommunityEvals.Gateway.Caching;
using CommunityEvals.Gateway.Documentation;
using CommunityEvals.Gateway.Forwarding;
using CommunityEvals.Platform.Http;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseProblemDocuments();
app.MapDefaultEndpoints();
app.MapDocumentationApi();
app.UseEdgeAuthentication();
// After authentication: signed-in callers are counted per token, the admin not at all.
app.UseRateLimiter();
app.MapReverseProxy(proxy =>
{
    proxy.UseUnavailableProblems();
    proxy.UseRevalidatingCache();
});

app.Run();
