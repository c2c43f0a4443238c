using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CommunityEvals.IntegrationTests.Infrastructure;
using CommunityEvals.IntegrationTests.Leaderboards;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace CommunityEvals.IntegrationTests.Arena;

/// <summary>
/// ARENA.md through the gateway: battles built from the answers in verified logs, served blind; votes,
/// each kept as an event with why it does or does not count; ratings from the counted votes.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class ArenaTests(StackFixture stack)
{
    [Fact]
    public async Task A_battle_shows_two_answers_blind_and_a_counted_vote_reveals_them_and_reaches_the_ratings_within_2_seconds()
    {
        var arena = await stack.CreateArenaAsync("arenablind", models: 2, samples: 3);
        var voter = await stack.CreateUserAsync("voter");

        var battle = await voter.Client.BattleAsync(arena);
        var text = battle.GetRawText();
        Assert.All(arena.Models, model => Assert.DoesNotContain(model.Split('/')[1], text));
        Assert.Equal(["A", "B"], battle.GetProperty("outputs").EnumerateArray().Select(o => o.GetProperty("slot").GetString()));
        Assert.StartsWith("question ", battle.GetProperty("input").GetString());
        Assert.Equal("overall", battle.GetProperty("dimension").GetString());
        Assert.Equal(arena.Dataset, battle.GetProperty("benchmark").GetString());
        Assert.True(battle.GetProperty("expiresAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(59));

        var beforeVote = DateTimeOffset.UtcNow.AddSeconds(1.5);
        var vote = await voter.Client.VoteInTimeAsync(battle, "A");
        Assert.True(vote.GetProperty("counted").GetBoolean());
        var winner = vote.GetProperty("models").GetProperty("A").GetString()!;
        var loser = vote.GetProperty("models").GetProperty("B").GetString()!;
        Assert.Equal(arena.Models.Order(), new[] { winner, loser }.Order());

        var answered = DateTimeOffset.UtcNow;
        var board = await Eventually.ValueAsync(async () =>
        {
            var ratings = await Boards.GetJsonAsync(stack.Anonymous, arena.LeaderboardPath);
            return ratings.GetProperty("votes").GetInt32() == 1 ? ratings : (JsonElement?)null;
        }, "the vote in the ratings", TimeSpan.FromSeconds(2));
        Assert.True(DateTimeOffset.UtcNow - answered < TimeSpan.FromSeconds(2));
        var rows = board.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal([winner, loser], rows.Select(r => r.GetProperty("modelId").GetString()));
        Assert.True(rows[0].GetProperty("rating").GetDouble() > 1000 && rows[1].GetProperty("rating").GetDouble() < 1000);
        Assert.All(rows, row => Assert.InRange(row.GetProperty("rating").GetDouble(), row.GetProperty("lower").GetDouble(), row.GetProperty("upper").GetDouble()));
        Assert.Equal("bradley-terry", board.GetProperty("method").GetProperty("model").GetString());
        Assert.Equal(1, rows[0].GetProperty("wins").GetInt32());

        var log = await Boards.GetJsonAsync(stack.Anonymous, arena.VotesPath);
        var entry = Assert.Single(log.GetProperty("votes").EnumerateArray());
        Assert.Equal(voter.Name, entry.GetProperty("voter").GetString());
        Assert.Equal([winner, loser], entry.GetProperty("models").EnumerateArray().Select(m => m.GetString()));
        Assert.True(entry.GetProperty("counted").GetBoolean());

        // As of a time before the vote: no vote, no row.
        var earlier = await Boards.GetJsonAsync(stack.Anonymous, $"{arena.LeaderboardPath}?as_of={Uri.EscapeDataString(beforeVote.ToString("O"))}");
        Assert.Equal(0, earlier.GetProperty("votes").GetInt32());
        Assert.Empty(earlier.GetProperty("rows").EnumerateArray());
        Assert.Equal(beforeVote.UtcDateTime, earlier.GetProperty("asOf").GetDateTimeOffset().UtcDateTime, TimeSpan.FromMilliseconds(1));
        using (var badTime = await stack.Anonymous.GetAsync($"{arena.LeaderboardPath}?as_of=yesterday"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badTime.StatusCode);
        }

        // The same ratings again: an ETag and a 304.
        using var first = await stack.Anonymous.GetAsync(arena.LeaderboardPath);
        using var again = new HttpRequestMessage(HttpMethod.Get, arena.LeaderboardPath);
        again.Headers.TryAddWithoutValidation("If-None-Match", first.Headers.ETag!.ToString());
        using var notModified = await stack.Anonymous.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Fact]
    public async Task A_voter_never_gets_the_same_sample_and_pair_twice_and_then_none_is_left()
    {
        var arena = await stack.CreateArenaAsync("arenaonce", models: 2, samples: 2);
        var voter = await stack.CreateUserAsync("judge");

        var seen = new HashSet<string>();
        for (var i = 0; i < 2; i++)
        {
            var battle = await voter.Client.BattleAsync(arena);
            var (status, vote) = await voter.Client.VoteAsync(battle.GetProperty("battleId").GetString()!, "tie");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.True(seen.Add(battle.GetProperty("input").GetString()!), "the same sample came back for the same pair");
        }

        using var none = await voter.Client.GetAsync(arena.BattlePath);
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
        Assert.Contains("json", none.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_answer_that_names_either_model_is_never_served()
    {
        // The second model names the first in every answer but the third sample's; the first names itself in the second sample's.
        string? first = null;
        var arena = await stack.CreateArenaAsync("arenanames", models: 2, samples: 3, answer: (m, i) =>
            (m, i) switch
            {
                (1, 2) => "A plain answer.",
                (1, _) => "As model-7b would say: yes.",
                (0, 1) => "I am model-7b and I say yes.",
                _ => "Yes, plainly.",
            });
        first = arena.Models[0];
        Assert.EndsWith("/model-7b", first);

        for (var i = 0; i < 3; i++)
        {
            var voter = await stack.CreateUserAsync("namecheck");
            var battle = await voter.Client.BattleAsync(arena);
            Assert.Equal("question 3", battle.GetProperty("input").GetString());
            Assert.DoesNotContain("model-7b", battle.GetRawText());
        }
    }

    [Fact]
    public async Task Every_exclusion_reason_is_recorded_and_not_counted_and_the_daily_cap_answers_429()
    {
        var arena = await stack.CreateArenaAsync("arenarules", models: 3, samples: 3);
        var owner = arena.Scenario.Owner;

        // Too fast: within 2 seconds of the battle.
        var fast = await stack.CreateUserAsync("fast");
        var battle = await fast.Client.BattleAsync(arena);
        var (status, vote) = await fast.Client.VoteAsync(battle.GetProperty("battleId").GetString()!, "A");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(vote.GetProperty("counted").GetBoolean());
        Assert.Equal("too-fast", vote.GetProperty("excludedBecause").GetString());

        // The owner of the models.
        var ownVote = await owner.VoteInTimeAsync(await owner.BattleAsync(arena), "B");
        Assert.Equal("owner", ownVote.GetProperty("excludedBecause").GetString());

        // The daily cap: votes beyond it are kept and not counted, and no battle is served after it.
        var keen = await stack.CreateUserAsync("keen");
        var battles = new List<JsonElement>();
        for (var i = 0; i <= StackFixture.ArenaDailyVoteCap; i++)
        {
            battles.Add(await keen.Client.BattleAsync(arena));
        }

        var outcomes = new List<JsonElement>();
        foreach (var served in battles)
        {
            outcomes.Add(await keen.Client.VoteInTimeAsync(served, "A"));
        }

        Assert.All(outcomes.Take(StackFixture.ArenaDailyVoteCap), o => Assert.True(o.GetProperty("counted").GetBoolean()));
        Assert.Equal("daily-cap", outcomes[^1].GetProperty("excludedBecause").GetString());
        using (var capped = await keen.Client.GetAsync(arena.BattlePath))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, capped.StatusCode);
            Assert.True(capped.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        }

        // The admin excludes a voter: their votes leave the ratings, with the reason in the log, and come back.
        var excludedVoter = await stack.CreateUserAsync("excluded");
        var counted = await excludedVoter.Client.VoteInTimeAsync(await excludedVoter.Client.BattleAsync(arena), "A");
        Assert.True(counted.GetProperty("counted").GetBoolean());
        var countedVotes = StackFixture.ArenaDailyVoteCap + 1;
        await RatingsVotesAsync(arena, countedVotes);

        using (var excluded = await stack.Admin.PostAsJsonAsync($"/api/arena/voters/{excludedVoter.Name}/exclude", new { reason = "voted by script" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, excluded.StatusCode);
        }

        var later = await excludedVoter.Client.VoteInTimeAsync(await excludedVoter.Client.BattleAsync(arena), "B");
        Assert.Equal("voter-excluded", later.GetProperty("excludedBecause").GetString());
        await RatingsVotesAsync(arena, countedVotes - 1);
        var log = await VotesOfAsync(arena, excludedVoter.Name);
        Assert.All(log, entry => Assert.Equal("voter-excluded", entry.GetProperty("excludedBecause").GetString()));

        using (var included = await stack.Admin.PostAsJsonAsync($"/api/arena/voters/{excludedVoter.Name}/include", new { reason = "a person after all" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, included.StatusCode);
        }

        // Both of their votes count now: the exclusion was the only reason against the second.
        await RatingsVotesAsync(arena, countedVotes + 1);

        var reasons = (await Boards.GetJsonAsync(stack.Anonymous, arena.VotesPath + "?limit=1000")).GetProperty("votes").EnumerateArray()
            .Select(v => v.TryGetProperty("excludedBecause", out var why) ? why.GetString() : null).ToHashSet();
        Assert.Superset(new HashSet<string?> { "too-fast", "owner", "daily-cap", null }, reasons);

        // Only the admin excludes, and a reason is required.
        using (var notAdmin = await keen.Client.PostAsJsonAsync($"/api/arena/voters/{fast.Name}/exclude", new { reason = "no" }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, notAdmin.StatusCode);
        }

        using (var noReason = await stack.Admin.PostAsJsonAsync($"/api/arena/voters/{fast.Name}/exclude", new { }))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, noReason.StatusCode);
        }
    }

    [Fact]
    public async Task Votes_are_refused_for_the_wrong_user_twice_or_with_another_winner_and_battles_need_a_signed_in_caller()
    {
        var arena = await stack.CreateArenaAsync("arenarefusals", models: 2, samples: 2,
            arenaSection: "\narena:\n  dimensions:\n    - id: logic\n      name: Reasoning\n      description: Which answer reasons better?\n    - id: tone\n      name: Empathy\n");
        var voter = await stack.CreateUserAsync("refused");
        var other = await stack.CreateUserAsync("intruder");

        var battle = await voter.Client.BattleAsync(arena);
        Assert.Equal("logic", battle.GetProperty("dimension").GetString());
        Assert.Equal("Which answer reasons better?", battle.GetProperty("question").GetString());
        var toneBattle = await voter.Client.BattleAsync(arena, dimension: "tone");
        Assert.Equal("Empathy", toneBattle.GetProperty("question").GetString());
        using (var unknown = await voter.Client.GetAsync(arena.BattlePath + "?dimension=humour"))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        using (var anonymous = await stack.Anonymous.GetAsync(arena.BattlePath))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        var id = battle.GetProperty("battleId").GetString()!;
        Assert.Equal(HttpStatusCode.Forbidden, (await other.Client.VoteAsync(id, "A")).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await voter.Client.VoteAsync(id, "C")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await voter.Client.VoteAsync(id[..^4] + "AAAA", "A")).Status);
        Assert.Equal(HttpStatusCode.OK, (await voter.Client.VoteAsync(id, "both-bad")).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await voter.Client.VoteAsync(id, "A")).Status);

        // Each dimension has its own ratings.
        using (var toneBoard = await stack.Anonymous.GetAsync(arena.LeaderboardPath + "?dimension=tone"))
        {
            Assert.Equal(HttpStatusCode.OK, toneBoard.StatusCode);
            Assert.Equal(0, (await toneBoard.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("votes").GetInt32());
        }

        using var missing = await stack.Anonymous.GetAsync($"/api/arena/{arena.Dataset}/nothing/leaderboard");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task A_counted_vote_is_published_once_as_arena_changed_on_the_stream_and_as_ArenaRatingsChanged_on_RabbitMQ()
    {
        var arena = await stack.CreateArenaAsync("arenapublish", models: 2, samples: 2);
        var voter = await stack.CreateUserAsync("publisher");
        var battle = await voter.Client.BattleAsync(arena);

        // Both listening before the vote.
        var received = new System.Collections.Concurrent.ConcurrentQueue<JsonElement>();
        var connection = await new ConnectionFactory { Uri = new Uri(stack.BrokerConnectionString) }.CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync();
        const string exchange = "CommunityEvals.Contracts:ArenaRatingsChanged";
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true);
        var queue = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true)).QueueName;
        await channel.QueueBindAsync(queue, exchange, routingKey: "");
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            var message = JsonDocument.Parse(delivery.Body.ToArray()).RootElement.GetProperty("message").Clone();
            if (message.GetProperty("benchmark").GetString() == arena.Dataset)
            {
                received.Enqueue(message);
            }

            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue, autoAck: true, consumer);

        using var sse = new HttpClient { BaseAddress = stack.Gateway, Timeout = Timeout.InfiniteTimeSpan };
        using var stream = await sse.GetAsync($"/api/events/stream?benchmark={arena.Dataset}", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        Assert.Equal(": stream open", await reader.ReadLineAsync());

        await voter.Client.VoteInTimeAsync(battle, "B");
        // An uncounted vote changes no rating: nothing is published for it.
        var ownerBattle = await arena.Scenario.Owner.BattleAsync(arena);
        await arena.Scenario.Owner.VoteAsync(ownerBattle.GetProperty("battleId").GetString()!, "A");

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        string? id = null, name = null, data = null;
        while (data is null)
        {
            var line = await reader.ReadLineAsync(timeout.Token) ?? throw new InvalidOperationException("the stream ended");
            if (line.StartsWith("id: ", StringComparison.Ordinal)) id = line[4..];
            else if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && name == "arena-changed") data = line[6..];
        }

        var change = JsonDocument.Parse(data).RootElement;
        Assert.Equal($"{change.GetProperty("sequence").GetInt64()}.1", id);
        Assert.Equal(("main", "overall", 1), (change.GetProperty("task").GetString(), change.GetProperty("dimension").GetString(), change.GetProperty("votes").GetInt32()));
        var rows = change.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(2, rows.Count);
        Assert.All(rows, row => Assert.InRange(row.GetProperty("rating").GetDouble(), row.GetProperty("lower").GetDouble(), row.GetProperty("upper").GetDouble()));

        var published = await Eventually.GetAsync(() => Task.FromResult(received.IsEmpty ? null : received.ToList()), "ArenaRatingsChanged on RabbitMQ");
        await Task.Delay(1500);
        var only = Assert.Single(received);
        Assert.Equal(id, only.GetProperty("id").GetString());
        Assert.Equal(1, only.GetProperty("votes").GetInt32());
        Assert.NotEmpty(published);
        await channel.CloseAsync();
        await connection.CloseAsync();
    }

    [Fact]
    public async Task Rebuilding_the_projections_gives_the_same_ratings_and_vote_log()
    {
        var arena = await stack.CreateArenaAsync("arenarebuild", models: 2, samples: 2);
        var voter = await stack.CreateUserAsync("rebuilder");
        await voter.Client.VoteInTimeAsync(await voter.Client.BattleAsync(arena), "A");
        await arena.Scenario.Owner.VoteInTimeAsync(await arena.Scenario.Owner.BattleAsync(arena), "B");
        await RatingsVotesAsync(arena, 1);
        var votesBefore = await Eventually.GetAsync(async () =>
        {
            var log = await Boards.GetJsonAsync(stack.Anonymous, arena.VotesPath);
            return log.GetProperty("votes").GetArrayLength() == 2 ? log.GetRawText() : null;
        }, "both votes in the log");
        var ratingsBefore = Without(await Boards.GetJsonAsync(stack.Anonymous, arena.LeaderboardPath), "computedAt");

        using (var rebuild = await stack.Admin.PostAsync(Leaderboards.ProjectionRebuildTests.RebuildRoute, null))
        {
            Assert.True(rebuild.StatusCode == HttpStatusCode.OK, $"rebuild: {(int)rebuild.StatusCode} {await rebuild.Content.ReadAsStringAsync()}");
        }

        Assert.Equal(votesBefore, (await Boards.GetJsonAsync(stack.Anonymous, arena.VotesPath)).GetRawText());
        Assert.Equal(ratingsBefore, Without(await Boards.GetJsonAsync(stack.Anonymous, arena.LeaderboardPath), "computedAt"));
    }

    private static string Without(JsonElement json, string property) =>
        System.Text.Json.Nodes.JsonNode.Parse(json.GetRawText())!.AsObject() is var node && node.Remove(property) ? node.ToJsonString() : json.GetRawText();

    private async Task RatingsVotesAsync(ArenaSteps.ArenaScenario arena, int votes) =>
        await Eventually.ValueAsync(async () =>
            (await Boards.GetJsonAsync(stack.Anonymous, arena.LeaderboardPath)).GetProperty("votes").GetInt32() == votes ? true : (bool?)null,
            $"{votes} counted votes in the ratings");

    private async Task<List<JsonElement>> VotesOfAsync(ArenaSteps.ArenaScenario arena, string voter) =>
        await Eventually.GetAsync(async () =>
        {
            var votes = (await Boards.GetJsonAsync(stack.Anonymous, arena.VotesPath + "?limit=1000")).GetProperty("votes").EnumerateArray()
                .Where(v => v.GetProperty("voter").GetString() == voter).ToList();
            return votes.Count == 2 && votes.All(v => v.TryGetProperty("excludedBecause", out _)) ? votes : null;
        }, $"the votes of {voter}, excluded");
}
