namespace CommunityEvals.Verification.Arena;

/// <summary>Which battle to serve (ARENA.md "Routes"): pure, given the answers, the votes so far and the caller's history.</summary>
public static class BattleChoice
{
    /// <summary>A sample and a pair of models, in the slots they are shown in.</summary>
    public sealed record Pick(string ModelA, string ModelB, string SampleId);

    /// <param name="samplesByModel">Each model's servable samples: sample id to input hash.</param>
    /// <param name="pairVotes">Counted votes per pair (<see cref="ArenaAnswers.PairKey"/>) in this dimension.</param>
    /// <param name="unservable">Whether the caller has seen, or must not see, a sample of a pair (sample, model, model).</param>
    /// <returns>Null when no pair has a sample left for this caller.</returns>
    public static Pick? Choose(
        IReadOnlyDictionary<string, Dictionary<string, string>> samplesByModel,
        IReadOnlyDictionary<string, int> pairVotes,
        Func<string, string, string, bool> unservable,
        Random random)
    {
        var models = samplesByModel.Keys.Order(StringComparer.Ordinal).ToList();
        var pairs = new List<(string A, string B)>();
        for (var i = 0; i < models.Count; i++)
        {
            for (var j = i + 1; j < models.Count; j++)
            {
                pairs.Add((models[i], models[j]));
            }
        }

        // The fewest counted votes first, ties at random: shuffle, then a stable sort by votes.
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(pairs));
        foreach (var (a, b) in pairs.OrderBy(pair => pairVotes.GetValueOrDefault(ArenaAnswers.PairKey(pair.A, pair.B))))
        {
            var of = samplesByModel[b];
            var candidates = samplesByModel[a]
                .Where(sample => of.TryGetValue(sample.Key, out var hash) && hash == sample.Value && !unservable(sample.Key, a, b))
                .Select(sample => sample.Key)
                .ToList();
            if (candidates.Count == 0)
            {
                continue;
            }

            candidates.Sort(StringComparer.Ordinal);
            var sampleId = candidates[random.Next(candidates.Count)];
            return random.Next(2) == 0 ? new Pick(a, b, sampleId) : new Pick(b, a, sampleId);
        }

        return null;
    }
}
