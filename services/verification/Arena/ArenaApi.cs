using System.Net.Http.Json;
using System.Text.Json;
using CommunityEvals.Contracts.Events;
using CommunityEvals.Formats;
using CommunityEvals.Platform.EventStore;
using CommunityEvals.Platform.Http;
using CommunityEvals.Platform.Identity;
using CommunityEvals.Verification.Facts;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CommunityEvals.Verification.Arena;

/// <summary>
/// The arena's write side (ARENA.md): serving battles from the answers kept from accepted logs, votes,
/// and the admin's exclusion of voters. Every vote and exclusion is an event on the voter's stream; the
/// ratings and the public vote log are the leaderboard projection's.
/// </summary>
public static class ArenaApi
{
    public const string DailyVoteCapSetting = "Arena:DailyVoteCap";

    public const int DefaultDailyVoteCap = 1_000;

    /// <summary>How many chosen samples may be passed over because an answer names the other model.</summary>
    private const int NameChecks = 50;

    public static IEndpointRouteBuilder MapArenaApi(this IEndpointRouteBuilder app)
    {
        var signedIn = app.MapGroup("/api/arena").RequireAuthorization(GatewayAuthentication.Policies.SignedIn);
        signedIn.MapGet("/{org}/{name}/{taskId}/battle", ServeBattleAsync);
        signedIn.MapPost("/battles/{battleId}/vote", VoteAsync).DescribesBody<VoteRequest>(JsonBody.ContentType);
        var admin = app.MapGroup("/api/arena/voters/{user}").RequireAuthorization(GatewayAuthentication.Policies.Admin);
        admin.MapPost("/exclude", (string user, HttpRequest request, IDocumentStore store, CancellationToken cancellationToken) =>
            SetExcludedAsync(user, exclude: true, request, store, cancellationToken));
        admin.MapPost("/include", (string user, HttpRequest request, IDocumentStore store, CancellationToken cancellationToken) =>
            SetExcludedAsync(user, exclude: false, request, store, cancellationToken));
        return app;
    }

    public sealed record Output(string Slot, string Text);

    public sealed record ServedBattle(
        string BattleId, string Benchmark, string Task, string Dimension, string Question, string Input, IReadOnlyList<Output> Outputs, DateTimeOffset ExpiresAt);

    public static async Task<Results<Ok<ServedBattle>, ProblemDocumentResult>> ServeBattleAsync(
        string org, string name, string taskId, string? dimension, HttpRequest request, IDocumentStore store,
        IHttpClientFactory clients, BattleTickets tickets, TimeProvider time, IConfiguration configuration, CancellationToken cancellationToken)
    {
        var caller = Caller.From(request)!;
        var benchmarkId = $"{org}/{name}";
        taskId = Uri.UnescapeDataString(taskId);
        await using var session = store.QuerySession();
        var benchmark = await session.LoadAsync<BenchmarkFact>(benchmarkId, cancellationToken);
        if (benchmark?.Task(taskId) is null)
        {
            return Problems.NotFound(benchmark is null ? $"{benchmarkId} is not a registered benchmark" : $"{benchmarkId} has no task '{taskId}'");
        }

        // A private test set is missing to others; a gated one's samples are for those with access (ACCESS.md).
        var (visible, readable) = await ResultAccess.OfBenchmarkAsync(session, benchmarkId, request, cancellationToken);
        if (!visible)
        {
            return Problems.RepoNotFound("dataset", benchmarkId);
        }

        if (!readable)
        {
            return Problems.Forbidden($"{benchmarkId} is a gated test set: its battles show its samples, so they are served to those with access. "
                + $"Ask with POST /api/datasets/{benchmarkId}/ask-access.").WithErrorCode("GatedRepo");
        }

        var dimensions = benchmark.Dimensions.Count > 0 ? benchmark.Dimensions : [.. ArenaDimension.Defaults];
        var chosen = string.IsNullOrEmpty(dimension) ? dimensions[0] : dimensions.FirstOrDefault(d => d.Id == dimension);
        if (chosen is null)
        {
            return Problems.NotFound($"{benchmarkId} task '{taskId}' has no arena dimension '{dimension}'; dimensions: {string.Join(", ", dimensions.Select(d => d.Id))}");
        }

        var board = ArenaAnswers.Board(benchmarkId, taskId);
        var kept = await ArenaAnswers.ModelsAsync(session, board, cancellationToken);
        HashSet<string> eligible;
        try
        {
            eligible = await EligibleModelsAsync(clients, benchmarkId, taskId, request.Headers[GatewayIdentity.Header].ToString(), cancellationToken);
        }
        catch (HttpRequestException)
        {
            // The boards are out of reach for a moment (the projection restarting): not the caller's fault.
            request.HttpContext.Response.Headers.RetryAfter = "5";
            return Problems.Create(StatusCodes.Status503ServiceUnavailable, "Unavailable",
                "The leaderboards, which say which models may take part, cannot be read right now; retry in a few seconds.");
        }

        var models = kept.Keys.Where(eligible.Contains).ToList();
        var samples = models.Count < 2 ? [] : await ArenaAnswers.SamplesAsync(session, board, models, cancellationToken);
        if (samples.Count < 2)
        {
            return Problems.NotFound($"Fewer than two models have answers on {benchmarkId} task '{taskId}' yet: the arena shows answers from verified or contradicted eval logs.");
        }

        var voter = await LoadVoterAsync(session, caller.Name, cancellationToken);
        var now = time.GetUtcNow();
        if (voter.CountedOn(DateOnly.FromDateTime(now.UtcDateTime)) >= configuration.GetValue(DailyVoteCapSetting, DefaultDailyVoteCap))
        {
            // Counted votes start again at the next UTC midnight.
            var retryAfter = (int)Math.Ceiling((now.UtcDateTime.Date.AddDays(1) - now.UtcDateTime).TotalSeconds);
            request.HttpContext.Response.Headers.RetryAfter = Math.Max(1, retryAfter).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Problems.Create(StatusCodes.Status429TooManyRequests, "Too many requests",
                $"You reached today's cap of counted arena votes; retry after {retryAfter} s (midnight UTC).");
        }

        var pairVotes = await ArenaAnswers.PairVotesAsync(session, board, chosen.Id, cancellationToken);
        var skipped = new HashSet<string>(StringComparer.Ordinal);
        for (var attempt = 0; attempt < NameChecks; attempt++)
        {
            var pick = BattleChoice.Choose(samples, pairVotes,
                (sample, a, b) => voter.Seen.Contains(VoterState.SeenKey(benchmarkId, taskId, chosen.Id, sample, a, b))
                    || skipped.Contains(VoterState.SeenKey(benchmarkId, taskId, chosen.Id, sample, a, b)),
                Random.Shared);
            if (pick is null)
            {
                break;
            }

            var answerA = await ArenaAnswers.AnswerAsync(session, board, pick.ModelA, pick.SampleId, cancellationToken);
            var answerB = await ArenaAnswers.AnswerAsync(session, board, pick.ModelB, pick.SampleId, cancellationToken);
            if (answerA is not { } a || answerB is not { } b
                || ArenaAnswers.Names(a.Answer, ArenaAnswers.NamesOf(pick.ModelB, kept[pick.ModelB]))
                || ArenaAnswers.Names(b.Answer, ArenaAnswers.NamesOf(pick.ModelA, kept[pick.ModelA])))
            {
                // An answer that names the other model would reveal who answered: never served.
                skipped.Add(VoterState.SeenKey(benchmarkId, taskId, chosen.Id, pick.SampleId, pick.ModelA, pick.ModelB));
                continue;
            }

            var battle = new Battle(benchmarkId, taskId, chosen.Id, pick.SampleId, pick.ModelA, pick.ModelB, caller.Name, now, now + Battle.Lifetime);
            return TypedResults.Ok(new ServedBattle(
                tickets.Issue(battle), benchmarkId, taskId, chosen.Id, chosen.Question, a.Input,
                [new Output("A", a.Answer), new Output("B", b.Answer)], battle.ExpiresAt));
        }

        return Problems.NotFound($"No battle is left for you on {benchmarkId} task '{taskId}' in dimension '{chosen.Id}': you have judged every pair and sample there is.");
    }

    public sealed record VoteRequest(string? Winner);

    public sealed record VoteAnswer(
        string Winner,
        IReadOnlyDictionary<string, string> Models,
        bool Counted,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? ExcludedBecause);

    public static async Task<Results<Ok<VoteAnswer>, ProblemDocumentResult>> VoteAsync(
        string battleId, HttpRequest request, IDocumentStore store, BattleTickets tickets, IConfiguration configuration, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var caller = Caller.From(request)!;
        if (tickets.Read(battleId) is not { } battle)
        {
            return Problems.NotFound("No such battle: ask for one at /api/arena/{org}/{name}/{task_id}/battle.");
        }

        var (body, problem) = await JsonBody.ReadAsync<VoteRequest>(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var cap = configuration.GetValue(DailyVoteCapSetting, DefaultDailyVoteCap);
        var (vote, refused) = await store.DecideAndCommitAsync(caller, async session =>
        {
            var voter = await LoadVoterAsync(session, caller.Name, cancellationToken);
            var owns = caller.IsAdmin
                || await OwnsAsync(session, caller.Name, battle.ModelA, cancellationToken)
                || await OwnsAsync(session, caller.Name, battle.ModelB, cancellationToken);
            var decision = ArenaVoting.Vote(voter, battleId, battle, caller.Name, body!.Winner, owns, cap, time.GetUtcNow());
            var cast = decision.Events.Select(pending => pending.Event).OfType<ArenaVoteCast>().SingleOrDefault();
            if (cast is { Counted: true })
            {
                ArenaAnswers.QueueCountedVote(session, ArenaAnswers.Board(battle.Benchmark, battle.Task), battle.Dimension,
                    ArenaAnswers.PairKey(battle.ModelA, battle.ModelB));
            }

            return (decision, cast);
        }, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        return TypedResults.Ok(new VoteAnswer(vote!.Winner, new Dictionary<string, string> { ["A"] = battle.ModelA, ["B"] = battle.ModelB },
            vote.Counted, vote.ExcludedBecause));
    }

    public sealed record ExclusionRequest(string? Reason);

    public static async Task<Results<NoContent, ProblemDocumentResult>> SetExcludedAsync(
        string user, bool exclude, HttpRequest request, IDocumentStore store, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<ExclusionRequest>(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var (_, refused) = await store.DecideAndCommitAsync(Caller.From(request)!, async session =>
        {
            if (await session.Events.FetchStreamStateAsync(StreamKeys.User(user), cancellationToken) is null)
            {
                return (Decision.Reject(RejectionKind.NotFound, $"There is no user '{user}'."), 0);
            }

            var voter = await LoadVoterAsync(session, user, cancellationToken);
            return (ArenaVoting.SetExcluded(voter, user, exclude, body!.Reason), 0);
        }, cancellationToken);
        return refused is null ? TypedResults.NoContent() : refused;
    }

    private static async Task<VoterState> LoadVoterAsync(IQuerySession session, string user, CancellationToken cancellationToken)
    {
        var events = await session.Events.FetchStreamAsync(StreamKeys.ArenaVoter(user), token: cancellationToken);
        return VoterState.Fold(events.Select(e => (e.Data, e.Timestamp)));
    }

    /// <summary>Whether <paramref name="user"/> owns <paramref name="model"/>: its namespace is theirs, or an org they belong to.</summary>
    private static async Task<bool> OwnsAsync(IQuerySession session, string user, string model, CancellationToken cancellationToken)
    {
        var owner = model.Split('/')[0];
        if (owner == user)
        {
            return true;
        }

        var events = await session.Events.FetchStreamAsync(StreamKeys.Org(owner), token: cancellationToken);
        return events.Any(e => e.Data is OrgMemberAdded added && added.User == user);
    }

    /// <summary>
    /// The models whose results may count on the board now (not hidden; on main or in an open pull
    /// request), as the leaderboard projection's public board lists them.
    /// </summary>
    /// <param name="identity">The caller's signed identity, passed on: a private benchmark's board is read as its owner reads it.</param>
    private static async Task<HashSet<string>> EligibleModelsAsync(IHttpClientFactory clients, string benchmark, string taskId, string identity, CancellationToken cancellationToken)
    {
        var client = clients.CreateClient(ProjectionClient);
        using var ask = new HttpRequestMessage(HttpMethod.Get, $"/api/leaderboards/{benchmark}/{Uri.EscapeDataString(taskId)}?limit=1000000");
        if (identity.Length > 0)
        {
            ask.Headers.TryAddWithoutValidation(GatewayIdentity.Header, identity);
        }

        using var answer = await client.SendAsync(ask, cancellationToken);
        answer.EnsureSuccessStatusCode();
        var board = await answer.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        return board.TryGetProperty("rows", out var rows)
            ? rows.EnumerateArray().Select(row => row.GetProperty("modelId").GetString()!).ToHashSet(StringComparer.Ordinal)
            : [];
    }

    public const string ProjectionClient = "leaderboard-projection";
}
