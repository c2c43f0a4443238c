// The CommunityEvals system at a glance: what runs, what each part uses, and in which order it starts.
// `dotnet run --project AppHost` runs it all locally with the Aspire dashboard (PostgreSQL and RabbitMQ as
// executables from the machine, their data under .data/); `-- --publisher manifest --output-path
// aspire-manifest.json` writes the deployment manifest instead. Options: --data-dir, --gateway-port.
using CommunityEvals.AppHost.Resources;

var builder = DistributedApplication.CreateBuilder(args);

// The gateway's admin token: COMMUNITYEVALS_ADMIN_TOKEN when set, else generated once and kept in <data-dir>/admin-token.
var adminTokenFile = Path.Combine(builder.DataDirectory(), "admin-token");
var adminToken = builder.AddLocalSecret("admin-token", adminTokenFile, prefix: "hf_", environmentVariable: "COMMUNITYEVALS_ADMIN_TOKEN",
    whenGenerated: token => Console.WriteLine($"The admin token, shown this once and kept in {adminTokenFile}: {token}"));

// The key the gateway signs the identity it forwards with, and every service checks it with: services
// trust the gateway and nobody else. Generated once (32 letters and digits, the least the services
// accept) and kept in <data-dir>/secrets/identity-key; a deployment generates its own.
var identityKey = builder.AddLocalSecret("identity-key", Path.Combine(builder.DataDirectory(), "secrets", "identity-key"), generateInManifest: true, minLength: 32);

// One PostgreSQL database holds the shared event store (Marten) and the read models.
var postgres = builder.AddLocalPostgres("postgres");
var evals = postgres.AddDatabase("evals");

// Integration events between the services travel over RabbitMQ (MassTransit).
var eventbus = builder.AddLocalRabbitMQ("eventbus");

// Ingestion accepts evaluation submissions and appends them to the event store.
var ingestion = builder.AddService<Projects.CommunityEvals_Ingestion>("ingestion", identityKey)
    .WithReference(evals)
    .WithReference(eventbus)
    .WaitFor(evals)
    .WaitFor(eventbus);

// The others wait for ingestion, so that one service creates the shared event-store schema first.

// Verification checks submitted results and records its verdicts.
var verification = builder.AddService<Projects.CommunityEvals_Verification>("verification", identityKey)
    .WithReference(evals)
    .WithReference(eventbus)
    .WaitFor(ingestion);

// Ingestion checks verifyTokens against the keys verification publishes (no wait: a commit without a token needs none).
ingestion.WithReference(verification);

// The leaderboard projection turns the event stream into leaderboards.
// Its rebuild folds the whole log into documents held in memory: a 256 MiB first generation lets
// most of what each event allocates die young (1,000,000 events: 66 s instead of 77 s, garbage
// collector pauses 8.7 s instead of 16.8 s), for up to that much more memory per heap.
var projection = builder.AddService<Projects.CommunityEvals_LeaderboardProjection>("leaderboard-projection", identityKey)
    .WithReference(evals)
    .WithReference(eventbus)
    .WithEnvironment("DOTNET_GCgen0size", "0x10000000")
    .WaitFor(ingestion);

// The arena (in verification) serves battles only between models the projection's boards list.
verification.WithReference(projection);

// The web pages: server-rendered, reading and writing through the gateway's public API as the visitor
// (never the database), so a page shows exactly what its visitor may see.
var web = builder.AddService<Projects.CommunityEvals_Web>("web", identityKey);

// The gateway is the one public entry point: it routes to the services, resolves bearer tokens into the
// identity it signs for them, and limits each caller's rate.
var gateway = builder.AddService<Projects.CommunityEvals_Gateway>("gateway", identityKey, port: builder.GatewayPort())
    .WithReference(evals)
    .WithReference(ingestion)
    .WithReference(verification)
    .WithReference(projection)
    .WithReference(web)
    .WithEnvironment("COMMUNITYEVALS_ADMIN_TOKEN", adminToken)
    .WithExternalHttpEndpoints()
    .WaitFor(ingestion)
    .WaitFor(verification)
    .WaitFor(projection)
    .WaitFor(web);

// Pages and API share one origin: the web service calls the API at the gateway's address.
web.WithEnvironment("Gateway__Url", gateway.GetEndpoint("http"));

// A process that dies while the application runs (a crash, a kill) is started again, with backoff.
builder.RestartWhatExits();

// Once the gateway answers, the console says where the gateway, the broker, the token and the data are.
builder.AnnounceWhenReady(gateway, eventbus, adminTokenFile);

await builder.Build().RunAsync();
