using CommunityEvals.Contracts.Events;
using CommunityEvals.Evidence;
using static CommunityEvals.UnitTests.Evidence.EvidenceTestData;

namespace CommunityEvals.UnitTests.Evidence;

/// <summary>Real logs from Inspect's own test suite, in both encodings.</summary>
public sealed class InspectFixtureLogTests
{
    public static TheoryData<string> AllFixtures() =>
    [
        "2025-02-11T15-17-00-05-00_popularity_dPiJifoWeEQBrfWsAopzWr.eval",
        "log_formats.eval",
        "log_formats.json",
        "log_read_sample.json",
        "log_streaming.eval",
        "mmlu-summary-choices.eval",
    ];

    [Theory]
    [MemberData(nameof(AllFixtures))]
    public void Every_fixture_parses(string name)
    {
        using var reader = InspectLogReader.Open(Fixture(name));
        Assert.Equal(name.EndsWith(".eval") ? InspectLogEncoding.Eval : InspectLogEncoding.Json, reader.Encoding);
        Assert.Equal("success", reader.Header.Status);
        Assert.NotNull(reader.Header.Task);
        Assert.NotNull(reader.Header.Model);
        Assert.True(reader.Header.Config.IsPartial); // all were made with a limit
        var samples = reader.ReadSamples().ToList();
        Assert.NotEmpty(samples);
        Assert.All(samples, s => Assert.False(string.IsNullOrEmpty(s.Input)));
        Assert.Equal(reader.Header.Results!.TotalSamples, samples.Count);
    }

    [Fact]
    public void Mmlu_header_and_sample_facts()
    {
        using var reader = InspectLogReader.Open(Fixture("mmlu-summary-choices.eval"));
        var h = reader.Header;
        Assert.Equal(2, h.Version);
        Assert.Equal("inspect_evals/mmlu_0_shot", h.Task);
        Assert.Equal("EHs43QJtJ23ZJpyduMvxLY", h.TaskRunId);
        Assert.Equal("EN_US", h.TaskArgs["language"]);
        Assert.Equal("false", h.TaskArgs["cot"]);
        Assert.Equal("cais/mmlu", h.Dataset.Name);
        Assert.Equal("cais/mmlu", h.Dataset.Location);
        Assert.Equal(14042, h.Dataset.Samples);
        Assert.Equal(["1"], h.Dataset.SampleIds!);
        Assert.Equal("openai/gpt-4o", h.Model);
        Assert.Equal("1", h.Config.Limit);
        Assert.Null(h.Config.SampleId);
        Assert.Equal(1, h.Config.Epochs);
        Assert.Equal(["mean"], h.Config.EpochsReducer);
        Assert.Equal("de1d065be", h.Revision!.Commit);
        Assert.True(h.Revision.Dirty);
        Assert.StartsWith("0.3.154", h.Packages["inspect_ai"]);
        Assert.Equal(1, h.Results!.TotalSamples);
        Assert.Equal(1, h.Results.CompletedSamples);
        Assert.Equal("choice", h.Headline!.Name);
        Assert.Equal("choice", h.Headline.Scorer);
        Assert.Equal("accuracy", h.Headline.HeadlineMetric!.Name);
        Assert.Equal(0.0, h.Headline.HeadlineMetric.Value);
        Assert.Equal(1, reader.SampleEntryCount);

        var s = Assert.Single(reader.ReadSamples());
        Assert.Equal("1", s.Id);
        Assert.Equal(1, s.Epoch);
        Assert.StartsWith("Positronium is an atom", s.Input);
        Assert.Equal(["A"], s.Target);
        Assert.Equal("ANSWER: C", s.Completion);
        Assert.False(s.HasError);
        var score = s.Scores["choice"];
        Assert.Equal("I", score.Value.GetString());
        Assert.Equal("C", score.Answer);
        Assert.Equal("ANSWER: C", score.Explanation);
    }

    [Fact]
    public void Log_formats_json_and_eval_agree()
    {
        using var json = InspectLogReader.Open(Fixture("log_formats.json"));
        using var eval = InspectLogReader.Open(Fixture("log_formats.eval"));
        var (a, b) = (json.Header, eval.Header);
        Assert.Equal(a.Status, b.Status);
        Assert.Equal(a.Task, b.Task);
        Assert.Equal(a.TaskRunId, b.TaskRunId);
        Assert.Equal(a.Model, b.Model);
        Assert.Equal(a.Dataset.Name, b.Dataset.Name);
        Assert.Equal(a.Dataset.Location, b.Dataset.Location);
        Assert.Equal(a.Dataset.Samples, b.Dataset.Samples);
        Assert.Equal(a.Config.Limit, b.Config.Limit);
        Assert.Equal(a.Config.Epochs, b.Config.Epochs);
        Assert.Equal(a.Config.EpochsReducer, b.Config.EpochsReducer);
        Assert.Equal(a.Revision, b.Revision);
        Assert.Equal(a.Packages, b.Packages);
        Assert.Equal(a.Results!.TotalSamples, b.Results!.TotalSamples);
        Assert.Equal(a.Results.CompletedSamples, b.Results.CompletedSamples);
        Assert.Equal(a.Headline!.Name, b.Headline!.Name);
        Assert.Equal(a.Headline.Metrics, b.Headline.Metrics);

        var sa = Assert.Single(json.ReadSamples());
        var sb = Assert.Single(eval.ReadSamples());
        Assert.Equal(sa.Id, sb.Id);
        Assert.Equal(sa.Epoch, sb.Epoch);
        Assert.Equal(sa.Input, sb.Input);
        Assert.Equal(sa.Target, sb.Target);
        Assert.Equal(sa.Completion, sb.Completion);
        Assert.Equal("No", sa.Completion);
        Assert.Equal(sa.Scores.Keys, sb.Scores.Keys);
        Assert.Equal(sa.Scores["match"].Value.GetString(), sb.Scores["match"].Value.GetString());
        Assert.Equal(sa.Scores["match"].Answer, sb.Scores["match"].Answer);

        var claim = new EvidenceClaim("llama3.1", "popularity", "popularity", 0, "0");
        var ra = EvidenceVerifier.Verify(Fixture("log_formats.json"), claim);
        var rb = EvidenceVerifier.Verify(Fixture("log_formats.eval"), claim);
        Assert.Equal(ra.Checks, rb.Checks);
        Assert.Equal(ra.Recomputed, rb.Recomputed);
    }

    [Fact]
    public void Mmlu_partial_run_is_rejected_by_complete_only()
    {
        var claim = new EvidenceClaim("gpt-4o", "cais/mmlu", "mmlu_0_shot", 0, "0.0", 0, 1);
        var report = EvidenceVerifier.Verify(Fixture("mmlu-summary-choices.eval"), claim);
        Assert.Equal(EvidenceStatus.Rejected, report.Status);
        Assert.Equal(["complete"], report.Checks.Where(c => !c.Ok).Select(c => c.Name));
        Assert.Contains("limit = 1", report.Check("complete").Detail);
        Assert.Contains("14042", report.Check("complete").Detail);
        Assert.Equal(new RecomputedScore(0, 0, 1), report.Recomputed);
        var failure = Assert.Single(report.Failures);
        Assert.Equal(("1", 1, "A", "C"), (failure.SampleId, failure.Epoch, failure.Target, failure.Answer));

        // "openai/gpt-4o" has no org once the provider is removed: the whole name matches too.
        Assert.True(EvidenceVerifier.Verify(Fixture("mmlu-summary-choices.eval"), claim with { ModelId = "openai/gpt-4o" }).Check("model").Ok);
        Assert.False(EvidenceVerifier.Verify(Fixture("mmlu-summary-choices.eval"), claim with { ModelId = "openai/gpt-4o-mini" }).Check("model").Ok);
    }

    [Fact]
    public void Two_epochs_of_log_streaming_reduce_to_the_logs_headline()
    {
        var report = EvidenceVerifier.Verify(Fixture("log_streaming.eval"),
            new EvidenceClaim("Meta-Llama-3-1-405B-Instruct-jqf", "popularity", "popularity", 0.75, "0.75"));
        Assert.True(report.Check("headline").Ok, report.Check("headline").Detail);
        Assert.True(report.Check("value").Ok, report.Check("value").Detail);
        Assert.Equal(0.75, report.Recomputed!.Value, 12);
        Assert.Equal(0.25, report.Recomputed.Stderr, 12);
        Assert.Equal(2, report.Recomputed.Samples);
        Assert.Equal(2, report.Recomputation!.MaxEpochs);
        Assert.Equal(1, report.FailuresTotal); // sample 1, epoch 1
    }

    [Fact]
    public void A_log_without_a_headline_fails_headline()
    {
        var report = EvidenceVerifier.Verify(Fixture("2025-02-11T15-17-00-05-00_popularity_dPiJifoWeEQBrfWsAopzWr.eval"),
            new EvidenceClaim("gpt-4o-mini", "popularity", "popularity", 0.5));
        Assert.True(report.Check("readable").Ok);
        Assert.False(report.Check("headline").Ok);
        Assert.Contains("no headline", report.Check("headline").Detail);
        Assert.Equal(10, report.Recomputation!.Records);
    }

    [Fact]
    public void Log_read_sample_recomputes_its_headline()
    {
        var report = EvidenceVerifier.Verify(Fixture("log_read_sample.json"), new EvidenceClaim("gemma3", "popularity", "popularity", 1, "1.0"));
        Assert.True(report.Check("headline").Ok, report.Check("headline").Detail);
        Assert.Equal(1.0, report.Recomputed!.Value);
        Assert.Empty(report.Failures);
    }

    [Fact]
    public void A_non_seekable_stream_is_spooled()
    {
        var bytes = File.ReadAllBytes(Fixture("log_streaming.eval"));
        using var stream = new NonSeekable(new MemoryStream(bytes));
        using var reader = InspectLogReader.Open(stream);
        Assert.Equal(4, reader.ReadSamples().Count());
        Assert.Equal(4, reader.ReadSamples().Count()); // enumerable again
    }

    private sealed class NonSeekable(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
