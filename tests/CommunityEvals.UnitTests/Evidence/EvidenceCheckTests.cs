using CommunityEvals.Evidence;
using static CommunityEvals.UnitTests.Evidence.EvidenceTestData;

namespace CommunityEvals.UnitTests.Evidence;

/// <summary>Every check passing, and failing on purpose, on small generated logs in both encodings.</summary>
public sealed class EvidenceCheckTests
{
    public static TheoryData<bool> Encodings() => [false, true];

    private static void AssertOnlyFailing(VerificationReport report, params string[] names) =>
        Assert.True(report.Checks.Where(c => !c.Ok).Select(c => c.Name).SequenceEqual(names), Failed(report));

    [Theory]
    [MemberData(nameof(Encodings))]
    public void A_complete_matching_log_is_verified(bool eval)
    {
        var report = Verify(new LogSpec(), eval, Claim(declared: 20));
        Assert.Equal(EvidenceStatus.Verified, report.Status);
        Assert.Equal("verified", report.Status.ToApiString());
        Assert.Equal(EvidenceCheckNames.All, report.Checks.Select(c => c.Name));
        Assert.All(report.Checks, c => Assert.False(string.IsNullOrWhiteSpace(c.Detail)));
        Assert.Equal(0.75, report.Recomputed!.Value, 12);
        Assert.Equal(20, report.Recomputed.Samples);
        // 15 ones and 5 zeros: sd = sqrt(20 * 0.75 * 0.25 / 19)
        Assert.Equal(Math.Sqrt(20 * 0.75 * 0.25 / 19) / Math.Sqrt(20), report.Recomputed.Stderr, 12);
        Assert.Equal(5, report.FailuresTotal);
        Assert.Equal(["1", "5", "9", "13", "17"], report.Failures.Select(f => f.SampleId));
        var f = report.Failures[0];
        Assert.Equal((1, "Question 1: what is 0 + 1?", "0", "7", "The model said 7."), (f.Epoch, f.Input, f.Target, f.Answer, f.Explanation));
        Assert.Equal(eval ? InspectLogEncoding.Eval : InspectLogEncoding.Json, report.Encoding);
        Assert.Equal("abc1234", report.Header!.Revision!.Commit);
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Another_model_fails_model(bool eval)
    {
        var report = Verify(new LogSpec { Model = "vllm/acme/model-13b" }, eval);
        AssertOnlyFailing(report, "model");
        Assert.Equal(EvidenceStatus.Rejected, report.Status);
        Assert.Contains("acme/model-13b", report.Check("model").Detail);
    }

    [Theory]
    [InlineData("hf/acme/model-7b")]
    [InlineData("vllm/acme/model-7b")]
    [InlineData("together/ACME/Model-7B")]
    public void The_provider_prefix_is_ignored_and_case_too(string model) =>
        Assert.True(Verify(new LogSpec { Model = model }, false).Check("model").Ok);

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Another_dataset_fails_dataset_and_the_hub_task_path(bool eval)
    {
        var report = Verify(new LogSpec { DatasetName = "other/bench", DatasetLocation = "other/bench", Task = "hf/other/bench/main" }, eval);
        AssertOnlyFailing(report, "dataset", "task");
        Assert.Contains("other/bench", report.Check("dataset").Detail);
    }

    [Theory]
    [InlineData("acme/bench", null, true)]
    [InlineData("bench", "hf://datasets/acme/bench@v1.0", true)]
    [InlineData("bench", "https://huggingface.co/datasets/acme/bench/resolve/main/test.jsonl", true)]
    [InlineData("ACME/Bench", null, true)]
    [InlineData("bench", "/data/bench.jsonl", false)]
    public void The_dataset_is_found_in_name_or_location(string name, string? location, bool ok) =>
        Assert.Equal(ok, Verify(new LogSpec { DatasetName = name, DatasetLocation = location, Task = "inspect_evals/main" }, false).Check("dataset").Ok);

    [Fact]
    public void The_dataset_is_found_in_an_hf_task_path() =>
        Assert.True(Verify(new LogSpec { DatasetName = "bench", DatasetLocation = null }, false).Check("dataset").Ok);

    [Theory]
    [InlineData("hf/acme/bench/main", true)]
    [InlineData("inspect_evals/main", true)]
    [InlineData("main", true)]
    [InlineData("evals/tasks.py@main", true)]
    [InlineData("hf/acme/bench/other", false)]
    [InlineData("inspect_evals/main_5_shot", false)]
    [InlineData("RunIdNotTheTask123", false)]
    public void The_task_comes_from_eval_task(string task, bool ok)
    {
        var report = Verify(new LogSpec { Task = task }, false);
        Assert.Equal(ok, report.Check("task").Ok);
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void A_partial_run_fails_complete(bool eval)
    {
        var report = Verify(new LogSpec { Limit = 20 }, eval);
        AssertOnlyFailing(report, "complete");
        Assert.Contains("limit = 20", report.Check("complete").Detail);
        Assert.Equal(EvidenceStatus.Rejected, report.Status);
    }

    [Fact]
    public void A_sample_id_run_fails_complete() =>
        Assert.Contains("sample_id", Verify(new LogSpec { SampleIdConfig = "3" }, false).Check("complete").Detail);

    [Fact]
    public void Completed_below_total_fails_complete() =>
        Assert.Contains("completed_samples 19 != total_samples 20", Verify(new LogSpec { CompletedSamples = 19 }, false).Check("complete").Detail);

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Fewer_records_than_total_samples_fails_complete(bool eval) =>
        Assert.Contains("holds 20 sample records but total_samples is 40", Verify(new LogSpec { TotalSamples = 40 }, eval).Check("complete").Detail);

    [Fact]
    public void Declared_samples_must_be_covered()
    {
        var report = Verify(new LogSpec(), false, Claim(declared: 21));
        AssertOnlyFailing(report, "complete");
        Assert.Contains("the benchmark declares 21", report.Check("complete").Detail);
        Assert.True(Verify(new LogSpec(), false, Claim(declared: 20)).Check("complete").Ok);
    }

    [Fact]
    public void The_logs_own_dataset_size_must_be_covered() =>
        Assert.Contains("dataset's 100 samples", Verify(new LogSpec { DatasetSamples = 100 }, false).Check("complete").Detail);

    [Theory]
    [MemberData(nameof(Encodings))]
    public void A_tampered_headline_fails_headline(bool eval)
    {
        var report = Verify(new LogSpec { Headline = 0.95 }, eval, Claim(95, "95.0"));
        Assert.False(report.Check("headline").Ok);
        Assert.Contains("but the log reports 0.95", report.Check("headline").Detail);
        Assert.False(report.Check("value").Ok); // 95 is not what the samples say either
        Assert.Equal(EvidenceStatus.Rejected, report.Status);
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void A_failed_run_fails_status(bool eval)
    {
        var report = Verify(new LogSpec { Status = "error" }, eval);
        AssertOnlyFailing(report, "status");
        Assert.Contains("'error'", report.Check("status").Detail);
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void A_value_off_by_a_tenth_is_contradicted(bool eval)
    {
        var report = Verify(new LogSpec(), eval, Claim(75.1, "75.1"));
        AssertOnlyFailing(report, "value");
        Assert.Equal(EvidenceStatus.Contradicted, report.Status);
        Assert.Equal("contradicted", report.Status.ToApiString());
        Assert.Contains("75 (percent)", report.Check("value").Detail);
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void An_errored_sample_is_dropped(bool eval)
    {
        var spec = new LogSpec { Errored = new HashSet<int> { 1 } }; // a correct sample errors: 15 -> 14 of 19
        var report = Verify(spec, eval, Claim(14.0 / 19 * 100, null));
        Assert.Equal(EvidenceStatus.Verified, report.Status);
        Assert.Equal(14.0 / 19, report.Recomputed!.Value, 12);
        Assert.Equal(19, report.Recomputed.Samples);
        Assert.Equal(1, report.Recomputation!.ErroredRecords);
        Assert.DoesNotContain(report.Failures, f => f.SampleId == "2");
        Assert.Contains("1 errored records dropped", report.Check("headline").Detail);
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Two_epochs_are_reduced_by_mean(bool eval)
    {
        // Sample i: epoch 1 right when i is even, epoch 2 always right -> per-sample means 1 and 0.5.
        var spec = new LogSpec { Samples = 10, Epochs = 2, Value = (i, e) => e == 2 || i % 2 == 0 ? "C" : "I" };
        var report = Verify(spec, eval, Claim(75, "75"));
        Assert.Equal(EvidenceStatus.Verified, report.Status);
        Assert.Equal(0.75, report.Recomputed!.Value, 12);
        Assert.Equal(10, report.Recomputed.Samples);
        Assert.Equal(20, report.Recomputation!.Records);
        Assert.Equal(5, report.FailuresTotal);
        Assert.All(report.Failures, f => Assert.Equal(1, f.Epoch));
    }

    [Theory]
    [InlineData("max", 1.0)]
    [InlineData("median", 0.75)]
    [InlineData("at_least_2", 0.5)]
    [InlineData("pass_at_1", 0.75)]
    public void Epochs_are_reduced_by_the_logs_reducer(string reducer, double expected)
    {
        // Sample i: epoch 1 right when i is even, epoch 2 always right.
        var spec = new LogSpec
        {
            Samples = 10, Epochs = 2, EpochsReducer = [reducer], Headline = expected,
            Value = (i, e) => e == 2 || i % 2 == 0 ? "C" : "I",
        };
        foreach (var eval in new[] { false, true })
        {
            var report = Verify(spec, eval, Claim(expected * 100, null));
            Assert.True(report.Status == EvidenceStatus.Verified, Failed(report));
            Assert.Equal(expected, report.Recomputed!.Value, 12);
        }
    }

    [Fact]
    public void The_headline_entrys_own_reducer_wins_over_the_config()
    {
        var spec = new LogSpec
        {
            Samples = 10, Epochs = 2, EpochsReducer = ["mean", "max"], HeadlineReducer = "max", Headline = 1.0,
            Value = (i, e) => e == 2 || i % 2 == 0 ? "C" : "I",
        };
        var report = Verify(spec, false, Claim(100, "100"));
        Assert.Equal(EvidenceStatus.Verified, report.Status);
        Assert.Equal("max", report.Recomputation!.Reducer);
    }

    [Fact]
    public void An_unknown_reducer_fails_headline()
    {
        var report = Verify(new LogSpec { Epochs = 2, EpochsReducer = ["my_custom"] }, false);
        Assert.Contains("unsupported epochs reducer 'my_custom'", report.Check("headline").Detail);
        Assert.Null(report.Recomputed);
        Assert.StartsWith("not checked", report.Check("value").Detail);
    }

    [Theory]
    [InlineData(100.0, 75.0, "75", EvidenceStatus.Verified)]
    [InlineData(100.0, 0.75, "0.75", EvidenceStatus.Contradicted)]
    [InlineData(1.0, 0.75, "0.75", EvidenceStatus.Verified)]
    [InlineData(1.0, 75.0, "75", EvidenceStatus.Contradicted)]
    [InlineData(null, 75.0, "75", EvidenceStatus.Verified)]
    [InlineData(null, 0.75, "0.75", EvidenceStatus.Verified)]
    [InlineData(null, 7.5, "7.5", EvidenceStatus.Contradicted)]
    public void Percent_and_fraction_scales(double? rangeMax, double value, string text, EvidenceStatus expected) =>
        Assert.Equal(expected, Verify(new LogSpec(), false, Claim(value, text, rangeMax)).Status);

    [Fact]
    public void Numeric_bool_and_partial_values_are_mapped()
    {
        object?[] values = ["C", "P", "I", "N", 1, 0.25, true, false, "yes", "no", "0.5", null, BareLiteral.NaN];
        // 1 + .5 + 0 + 0 + 1 + .25 + 1 + 0 + 1 + 0 + .5 = 5.25 over 11 (null and NaN are unscored)
        var spec = new LogSpec { Samples = values.Length, Value = (i, _) => values[i], Headline = 5.25 / 11 };
        foreach (var eval in new[] { false, true })
        {
            var report = Verify(spec, eval, Claim(5.25 / 11, null, 1));
            Assert.True(report.Check("headline").Ok, Failed(report));
            Assert.Equal(11, report.Recomputed!.Samples);
            Assert.Equal(2, report.Recomputation!.UnscoredRecords);
        }
    }

    [Fact]
    public void String_ids_and_chat_inputs_are_read()
    {
        var spec = new LogSpec { StringIds = true, ChatInput = true };
        var report = Verify(spec, true);
        Assert.Equal(EvidenceStatus.Verified, report.Status);
        Assert.Equal("s-1", report.Failures[0].SampleId);
        Assert.Equal("system: Answer with a digit.\nuser: Question 1: what is 0 + 1? [image]", report.Failures[0].Input);
    }

    [Fact]
    public void Duplicate_sample_records_are_unreadable()
    {
        // Two epochs with the same number: write 2 epochs but make the generator's ids collide by using Samples=1 twice.
        var log = InspectLogGenerator.Json(new LogSpec { Samples = 2 });
        var text = System.Text.Encoding.UTF8.GetString(log).Replace("\"id\":2,", "\"id\":1,");
        var report = Verify(System.Text.Encoding.UTF8.GetBytes(text));
        Assert.False(report.Check("readable").Ok);
        Assert.Contains("sample id 1 epoch 1 appears twice", report.Check("readable").Detail);
        Assert.True(report.Check("model").Ok); // the header checks still run
        Assert.StartsWith("not checked", report.Check("headline").Detail);
    }

    [Fact]
    public void Several_scorers_without_a_headline_cannot_be_recomputed()
    {
        var text = System.Text.Encoding.UTF8.GetString(InspectLogGenerator.Json(new LogSpec { WriteHeadline = false }))
            .Replace("\"scores\":{\"match\":{", "\"scores\":{\"other\":{\"value\":\"C\"},\"match\":{");
        var report = Verify(System.Text.Encoding.UTF8.GetBytes(text));
        Assert.Contains("several scorers (match, other)", report.Check("headline").Detail);
    }

    [Fact]
    public void The_only_scorer_is_used_when_the_log_has_no_headline()
    {
        var report = Verify(new LogSpec { WriteHeadline = false }, false);
        Assert.Equal("match", report.Recomputation!.Scorer);
        Assert.Equal(0.75, report.Recomputed!.Value);
        Assert.Contains("no headline", report.Check("headline").Detail);
    }
}
