using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CommunityEvals.IntegrationTests.Infrastructure;
using static CommunityEvals.IntegrationTests.Leaderboards.Boards;

namespace CommunityEvals.IntegrationTests.Leaderboards;

/// <summary>
/// EVENTS.md, <c>ScoreChanged</c>, and API.md, "Live events and history": every changed row of the
/// native board is one change, numbered within its causing event, the same on RabbitMQ and on the
/// SSE stream, and a stream resumes from <c>Last-Event-ID</c> without gaps or repeats.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class ScoreChangedTests(StackFixture stack)
{
    [Fact]
    public async Task Every_step_sends_one_change_per_moved_row_on_RabbitMQ_and_SSE()
    {
        var s = await stack.CreateScenarioAsync("lbsc");
        var contributor = await stack.CreateUserAsync("lbsc-c");
        var a = s.Model;
        var b = await s.Owner.CreateRepoAsync("model", "model-b", s.Org);
        var c = await s.Owner.CreateRepoAsync("model", "model-c", s.Org);
        await using var broker = await BrokerScoreChanges.StartAsync(stack.BrokerConnectionString, s.Dataset);
        await using var sse = await SseScoreChanges.OpenAsync(stack.Gateway, $"benchmark={Uri.EscapeDataString(s.Dataset)}");
        var steps = new ScoreChangeSteps(stack, s, [broker, sse]);

        await s.Owner.CommitResultAsync(a, s.Dataset, "70", "a.yaml");
        await steps.ExpectAsync("MainCommitted", a,
            "1 model-7b null->70 #null->#1 author committed");

        await s.Owner.CommitResultAsync(c, s.Dataset, "60", "c.yaml");
        await steps.ExpectAsync("MainCommitted", c,
            "1 model-c null->60 #null->#2 author committed");

        // A new top score moves every row below it: one change per row, n = 1, 2, 3.
        await s.Owner.CommitResultAsync(b, s.Dataset, "80", "b.yaml");
        await steps.ExpectAsync("MainCommitted", b,
            "1 model-b null->80 #null->#1 author committed",
            "2 model-7b 70->70 #1->#2 author committed",
            "3 model-c 60->60 #2->#3 author committed");

        var pr = await contributor.Client.OpenPullRequestAsync(a, s.Dataset, "90");
        await steps.ExpectAsync("PullRequestOpened", a,
            "1 model-7b 70->90 #2->#1 community pr-opened",
            "2 model-b 80->80 #1->#2 author pr-opened");

        await contributor.Client.SetPullRequestStatusAsync(a, pr, "closed");
        await steps.ExpectAsync("PullRequestClosed", a,
            "1 model-b 80->80 #2->#1 author pr-closed",
            "2 model-7b 90->70 #1->#2 author pr-closed");

        await contributor.Client.SetPullRequestStatusAsync(a, pr, "open");
        await steps.ExpectAsync("PullRequestReopened", a,
            "1 model-7b 70->90 #2->#1 community pr-reopened",
            "2 model-b 80->80 #1->#2 author pr-reopened");

        using (var updated = await contributor.Client.CommitAsync("model", a, $"refs/pr/{pr}", ".eval_results/community.yaml", HubCommits.ResultYaml(s.Dataset, "main", "95")))
        {
            Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        }

        await steps.ExpectAsync("PullRequestUpdated", a,
            "1 model-7b 90->95 #1->#1 community pr-updated");

        // Merged: same value and rank, but the origin changes.
        await s.Owner.MergeAsync(a, pr);
        await steps.ExpectAsync("PullRequestMerged", a,
            "1 model-7b 95->95 #1->#1 author pr-merged");

        var merged = await ResultIdAsync(stack.Anonymous, a, r => r.IsOn("main", 95), "the merged result on main");
        await s.Owner.HideAsync(merged);
        await steps.ExpectAsync("ResultHidden", a,
            "1 model-b 80->80 #2->#1 author hidden",
            "2 model-7b 95->70 #1->#2 author hidden");

        await s.Owner.UnhideAsync(merged);
        await steps.ExpectAsync("ResultUnhidden", a,
            "1 model-7b 70->95 #2->#1 author unhidden",
            "2 model-b 80->80 #1->#2 author unhidden");

        // A deleted file: its row is gone (value, rank and origin null), the row below moves up.
        using (var deleted = await s.Owner.CommitFilesAsync("model", b, "main", [], [".eval_results/b.yaml"]))
        {
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        }

        await steps.ExpectAsync("MainCommitted", b,
            "1 model-c 60->60 #3->#2 author retracted",
            "2 model-b 80->null #2->#null - retracted");

        // A commit that moves no row (a slightly worse second result, within 1% so it disputes nothing)
        // sends nothing; the next change follows directly.
        await s.Owner.CommitResultAsync(c, s.Dataset, "59.5", "c2.yaml");
        await s.Owner.CommitResultAsync(a, s.Dataset, "99", "a.yaml");
        await steps.ExpectAsync("MainCommitted", a,
            "1 model-7b 95->99 #1->#1 author committed");

        // Both carriers told the same story, id for id.
        Assert.Equal(broker.Changes.Select(change => change.Id), sse.Changes.Select(change => change.Id));
        Assert.Equal(broker.Changes, sse.Changes);
    }

    [Fact]
    public async Task Last_event_id_and_after_resume_without_gaps_or_repeats()
    {
        var s = await stack.CreateScenarioAsync("lbsse");
        var contributor = await stack.CreateUserAsync("lbsse-c");
        var a = s.Model;
        var b = await s.Owner.CreateRepoAsync("model", "model-b", s.Org);
        var c = await s.Owner.CreateRepoAsync("model", "model-c", s.Org);
        var query = $"benchmark={Uri.EscapeDataString(s.Dataset)}";
        await using var reference = await SseScoreChanges.OpenAsync(stack.Gateway, query);
        await using var first = await SseScoreChanges.OpenAsync(stack.Gateway, query);

        await s.Owner.CommitResultAsync(a, s.Dataset, "70");
        await s.Owner.CommitResultAsync(c, s.Dataset, "60");
        await s.Owner.CommitResultAsync(b, s.Dataset, "80"); // three changes: b, a, c
        var seen = await first.WaitForCountAsync(5, what: "the first three commits");
        Assert.Equal(5, seen.Count);
        var lastSeen = seen[^1].Id;
        var topScore = seen[2].Sequence;
        Assert.Equal([$"{topScore}.1", $"{topScore}.2", $"{topScore}.3"], seen.Skip(2).Select(change => change.Id));
        Assert.True(first.Frames.All(frame => frame.Event == "score-changed"));
        await first.DisposeAsync();

        // Changes while nobody listens.
        var pr = await contributor.Client.OpenPullRequestAsync(a, s.Dataset, "90");
        await contributor.Client.SetPullRequestStatusAsync(a, pr, "closed");
        var all = await reference.WaitForCountAsync(9, what: "the pull request opened and closed");

        // Resumed after the last change seen: the missed ones, then live ones.
        await using var resumed = await SseScoreChanges.OpenAsync(stack.Gateway, query, lastEventId: lastSeen);
        var missed = await resumed.WaitForCountAsync(4, what: "the changes missed while disconnected");
        Assert.Equal(all.Skip(5).Take(4), missed.Take(4));
        await contributor.Client.SetPullRequestStatusAsync(a, pr, "open");
        all = await reference.WaitForCountAsync(11, what: "the reopening");
        var resumedAll = await resumed.WaitForCountAsync(6, what: "the reopening, live");
        Assert.Equal(all.Skip(5), resumedAll);

        // Resumed in the middle of one event's changes: the rest of that event, then on.
        await using var middle = await SseScoreChanges.OpenAsync(stack.Gateway, query, lastEventId: $"{topScore}.1");
        var fromMiddle = await middle.WaitForCountAsync(all.Count - 3, what: "the changes after the middle of an event");
        Assert.Equal(all.Skip(3), fromMiddle);

        // after=S: after every change of event S.
        await using var after = await SseScoreChanges.OpenAsync(stack.Gateway, $"{query}&after={topScore}");
        var afterEvent = await after.WaitForCountAsync(all.Count - 5, what: "the changes after an event");
        Assert.Equal(all.Skip(5), afterEvent);

        // model= narrows to one model's rows.
        await using var oneModel = await SseScoreChanges.OpenAsync(stack.Gateway, $"{query}&model={Uri.EscapeDataString(c)}&after={all[0].Sequence - 1}");
        var ofModel = all.Where(change => change.ModelId == c).ToList();
        Assert.Equal(2, ofModel.Count); // added, then moved down by b
        Assert.Equal(ofModel, await oneModel.WaitForCountAsync(ofModel.Count, what: "model c's changes"));

        // Ids strictly increase: nothing repeated anywhere.
        foreach (var stream in new[] { reference, resumed, middle, after })
        {
            var ids = stream.Changes.Select(change => (change.Sequence, change.N)).ToList();
            Assert.Equal(ids.Distinct().OrderBy(id => id.Sequence).ThenBy(id => id.N), ids);
        }

        foreach (var bad in new[] { "nonsense", "1.x" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/events/stream?{query}");
            request.Headers.Add("Last-Event-ID", bad);
            using var response = await stack.Anonymous.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        using var badBenchmark = await stack.Anonymous.GetAsync("/api/events/stream?benchmark=no-slash", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.BadRequest, badBenchmark.StatusCode);
    }
}
