using CommunityEvals.Contracts.Events;
using CommunityEvals.LeaderboardProjection.Shared;

namespace CommunityEvals.UnitTests.Projections;

/// <summary>A piece of evidence proves or disputes only the value it was judged against.</summary>
public sealed class ResultEvidenceTests
{
    private static readonly RecomputedScore ThreeQuarters = new(0.75, 0.02, 40);

    private static ResultEvidence Fold(string currentValue, params object[] events)
    {
        var evidence = new ResultEvidence();
        foreach (var data in events)
        {
            Assert.True(evidence.Apply(data, currentValue));
        }

        return evidence;
    }

    private static EvidenceSubmitted Submitted(string id) => new("r", "org/m", id, "sha", 10);

    private static EvidenceVerified Verified(string id, string? value) => new("r", "org/m", id, [], ThreeQuarters, "token", 1, value);

    private static EvidenceContradicted Contradicted(string id, string? value) => new("r", "org/m", id, [], ThreeQuarters, 1, value);

    [Theory]
    [InlineData("none", false, false)]
    [InlineData("pending", false, false, "submitted")]
    [InlineData("rejected", false, false, "submitted", "rejected")]
    [InlineData("contradicted", false, true, "submitted", "contradicted")]
    [InlineData("verified", true, false, "submitted", "verified")]
    [InlineData("verified", true, true, "submitted", "verified", "contradicted")]
    [InlineData("pending", false, false, "submitted", "rejected", "submitted-2")]
    public void The_status_is_the_first_that_applies(string status, bool verified, bool disputed, params string[] steps)
    {
        var events = steps.Select(step => step switch
        {
            "submitted" => (object)Submitted("e1"),
            "submitted-2" => Submitted("e2"),
            "rejected" => new EvidenceRejected("r", "org/m", "e1", [], null),
            "verified" => Verified("e1", "75"),
            "contradicted" => Contradicted(steps.Count(s => s == "verified") > 0 ? "e9" : "e1", "75"),
            _ => throw new ArgumentOutOfRangeException(nameof(steps)),
        }).ToArray();

        var standing = ResultEvidence.StandingOf(Fold("75", events), "75", tokenVerified: false);

        Assert.Equal((status, verified, disputed), (standing.Status, standing.Verified, standing.Disputed));
    }

    [Fact]
    public void A_value_changed_after_the_judgement_is_pending_until_judged_again()
    {
        var evidence = Fold("75", Submitted("e1"), Verified("e1", "75"));

        var changed = ResultEvidence.StandingOf(evidence, "50", tokenVerified: false);
        Assert.Equal(("pending", false, false), (changed.Status, changed.Verified, changed.Disputed));
        Assert.Null(changed.Stderr);

        evidence.Apply(Contradicted("e1", "50"), "50");
        var judged = ResultEvidence.StandingOf(evidence, "50", tokenVerified: false);
        Assert.Equal(("contradicted", false, true), (judged.Status, judged.Verified, judged.Disputed));

        // Back to the value it verified: verified again once judged so (not before).
        Assert.Equal("pending", ResultEvidence.StandingOf(evidence, "75", tokenVerified: false).Status);
        evidence.Apply(Verified("e1", "75"), "75");
        var again = ResultEvidence.StandingOf(evidence, "75", tokenVerified: false);
        Assert.Equal(("verified", true, false, 0.02), (again.Status, again.Verified, again.Disputed, again.Stderr));
    }

    [Fact]
    public void A_judgement_written_before_values_were_recorded_judged_the_value_the_result_had_then()
    {
        var evidence = Fold("75", Submitted("e1"), Verified("e1", value: null));

        Assert.True(ResultEvidence.StandingOf(evidence, "75", tokenVerified: false).Verified);
        Assert.False(ResultEvidence.StandingOf(evidence, "75.5", tokenVerified: false).Verified);
    }

    [Fact]
    public void A_token_for_the_value_verifies_without_evidence_and_evidence_can_still_dispute()
    {
        Assert.Equal("verified", ResultEvidence.StandingOf(null, "75", tokenVerified: true).Status);
        var disputed = ResultEvidence.StandingOf(Fold("75", Submitted("e1"), Contradicted("e1", "75")), "75", tokenVerified: true);
        Assert.Equal(("verified", true, true), (disputed.Status, disputed.Verified, disputed.Disputed));
    }

    [Fact]
    public void Events_of_other_kinds_are_not_evidence()
    {
        Assert.False(new ResultEvidence().Apply(new ResultHidden("org/m", "r", "why"), "75"));
        Assert.Null(ResultEvidence.ResultIdOf(new ResultHidden("org/m", "r", "why")));
    }
}
