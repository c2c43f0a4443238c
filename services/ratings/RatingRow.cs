namespace CommunityEvals.Ratings;

/// <summary>One model's line of an arena board (ARENA.md, "Ratings"); <see cref="Ties"/> counts ties and both-bad votes.</summary>
public sealed record RatingRow(int Rank, string ModelId, double Rating, double Lower, double Upper, int Votes, int Wins, int Losses, int Ties);
