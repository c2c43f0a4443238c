using System.Net.Http.Json;
using System.Text.Json;
using CommunityEvals.IntegrationTests.Infrastructure;

namespace CommunityEvals.IntegrationTests.Leaderboards;

/// <summary>
/// Checks, after each step of a scenario, the changes every carrier (RabbitMQ, SSE) received for it:
/// the expected shapes (<see cref="ScoreChange.Shape"/>, model ids without the scenario's org), one
/// causing event with a sequence above the previous step's, ids <c>{sequence}.{n}</c> from 1, the
/// scenario's benchmark and task, and that the event at that sequence in the public log is the step's.
/// </summary>
internal sealed class ScoreChangeSteps(StackFixture stack, StackFixture.Scenario s, IReadOnlyList<ScoreChangeCollector> carriers)
{
    private readonly int[] _seen = new int[carriers.Count];
    private long _lastSequence;

    /// <summary>A step caused by an event of a model repo's stream.</summary>
    public Task ExpectAsync(string eventType, string model, params string[] expected) =>
        ExpectInStreamAsync(eventType, $"model/{model}", expected);

    public async Task ExpectInStreamAsync(string eventType, string stream, params string[] expected)
    {
        long? sequence = null;
        for (var i = 0; i < carriers.Count; i++)
        {
            var carrier = carriers[i];
            var all = await carrier.WaitForCountAsync(_seen[i] + expected.Length, TimeSpan.FromSeconds(30), $"{eventType} in {stream}");
            var step = all.Skip(_seen[i]).ToList();
            _seen[i] += expected.Length;
            var where = $"{carrier.GetType().Name}, step {eventType} in {stream}";
            Assert.True(expected.SequenceEqual(step.Take(expected.Length).Select(change => change.Shape(Short))),
                $"{where}: expected\n  {string.Join("\n  ", expected)}\ngot\n  {string.Join("\n  ", step.Select(change => $"{change.Id} {change.Shape(Short)}"))}");

            var stepSequence = step[0].Sequence;
            sequence ??= stepSequence;
            Assert.Equal(sequence, stepSequence);
            Assert.True(stepSequence > _lastSequence, $"{where}: sequence {stepSequence} does not follow {_lastSequence}");
            for (var n = 1; n <= expected.Length; n++)
            {
                var change = step[n - 1];
                Assert.Equal(stepSequence, change.Sequence);
                Assert.Equal($"{stepSequence}.{n}", change.Id);
                Assert.Equal(s.Dataset, change.Benchmark);
                Assert.Equal("main", change.TaskId);
                Assert.Equal(step[0].OccurredAt, change.OccurredAt);
            }
        }

        _lastSequence = sequence!.Value;
        await CheckCauseAsync(sequence.Value, eventType, stream, carriers[0].Changes[_seen[0] - 1].OccurredAt);
    }

    private string Short(string modelId) => modelId.StartsWith(s.Org + "/", StringComparison.Ordinal) ? modelId[(s.Org.Length + 1)..] : modelId;

    /// <summary>The event at <paramref name="sequence"/> in the public log is the step's, at the change's time.</summary>
    private async Task CheckCauseAsync(long sequence, string eventType, string stream, DateTimeOffset occurredAt)
    {
        var cause = await Eventually.ValueAsync(async () =>
        {
            var page = await stack.Anonymous.GetFromJsonAsync<JsonElement>($"/api/events?after={sequence - 1}&limit=1");
            return page.GetProperty("events").EnumerateArray().Select(e => (JsonElement?)e).FirstOrDefault();
        }, $"event {sequence} in the public log");
        Assert.Equal(sequence, cause.GetProperty("sequence").GetInt64());
        Assert.Equal(eventType, cause.GetProperty("type").GetString());
        Assert.Equal(stream, cause.GetProperty("stream").GetString());
        Assert.Equal(occurredAt, cause.GetProperty("occurredAt").GetDateTimeOffset());
    }
}
