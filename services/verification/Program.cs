using CommunityEvals.Platform.Http;
using CommunityEvals.Verification.Evidence;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseProblemDocuments();
app.UseSingleValuedQuery();
app.UseIdempotency();
app.MapDefaultEndpoints();
app.MapEvidenceApi();

app.Run();
