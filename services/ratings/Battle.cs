namespace CommunityEvals.Ratings;

/// <summary>The result of one counted vote; a both-bad vote is a <see cref="Tie"/> here (half a win each).</summary>
public enum Outcome
{
    AWins,
    BWins,
    Tie,
}

public readonly record struct Battle(string ModelA, string ModelB, Outcome Outcome);
