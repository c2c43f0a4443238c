using CommunityEvals.Platform.Http;
using CommunityEvals.Platform.Identity;
using CommunityEvals.Verification.Arena;
using CommunityEvals.Verification.Evidence;

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
app.MapEvidenceApi();
app.MapArenaApi();

app.Run();
