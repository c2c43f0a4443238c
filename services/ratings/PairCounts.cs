using System.Runtime.InteropServices;

namespace CommunityEvals.Ratings;

/// <summary>How often two models met and how each meeting ended, oriented as asked (<see cref="AWins"/> are <see cref="ModelA"/>'s wins).</summary>
public readonly record struct PairTally(string ModelA, string ModelB, int AWins, int BWins, int Ties)
{
    public int Votes => AWins + BWins + Ties;
}

/// <summary>
/// Counted votes reduced to what a Bradley-Terry fit depends on: per unordered pair of models, the
/// wins of each side and the ties. Millions of votes become at most three numbers per pair, which is
/// what makes a fit (and a bootstrap round) independent of the number of votes.
/// Not thread-safe while being added to.
/// </summary>
public sealed class PairCounts
{
    private readonly Dictionary<string, int> _modelIndex = new(StringComparer.Ordinal);
    private readonly List<string> _models = [];
    private readonly Dictionary<(int First, int Second), int> _pairIndex = [];
    private readonly List<RawTally> _pairs = [];

    public PairCounts()
    {
    }

    public PairCounts(IEnumerable<Battle> battles)
    {
        ArgumentNullException.ThrowIfNull(battles);
        foreach (var battle in battles)
        {
            Add(battle);
        }
    }

    /// <summary>Every model with at least one vote, in the order first seen.</summary>
    public IReadOnlyList<string> Models => _models;

    public int TotalVotes { get; private set; }

    /// <summary>Every pair that met, oriented by the order the two models were first seen.</summary>
    public IEnumerable<PairTally> Pairs =>
        _pairs.Select(t => new PairTally(_models[t.First], _models[t.Second], t.FirstWins, t.SecondWins, t.Ties));

    public void Add(Battle battle) => Add(battle.ModelA, battle.ModelB, battle.Outcome);

    public void Add(string modelA, string modelB, Outcome outcome)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelA);
        ArgumentException.ThrowIfNullOrEmpty(modelB);
        if (string.Equals(modelA, modelB, StringComparison.Ordinal))
        {
            throw new ArgumentException($"a model cannot play itself ({modelA})", nameof(modelB));
        }

        if (outcome is not (Outcome.AWins or Outcome.BWins or Outcome.Tie))
        {
            throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null);
        }

        var a = IndexOf(modelA);
        var b = IndexOf(modelB);
        var (first, second, firstIsA) = a < b ? (a, b, true) : (b, a, false);
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_pairIndex, (first, second), out var known);
        if (!known)
        {
            slot = _pairs.Count;
            _pairs.Add(new RawTally(first, second));
        }

        ref var tally = ref CollectionsMarshal.AsSpan(_pairs)[slot];
        checked
        {
            switch (outcome)
            {
                case Outcome.Tie:
                    tally.Ties++;
                    break;
                case Outcome.AWins when firstIsA:
                case Outcome.BWins when !firstIsA:
                    tally.FirstWins++;
                    break;
                default:
                    tally.SecondWins++;
                    break;
            }

            TotalVotes++;
        }
    }

    /// <summary>The meetings of two models, <see cref="PairTally.AWins"/> being <paramref name="modelA"/>'s; all zero when they never met.</summary>
    public PairTally Tally(string modelA, string modelB)
    {
        if (_modelIndex.TryGetValue(modelA, out var a) && _modelIndex.TryGetValue(modelB, out var b)
            && _pairIndex.TryGetValue(a < b ? (a, b) : (b, a), out var slot))
        {
            var tally = _pairs[slot];
            return a < b
                ? new PairTally(modelA, modelB, tally.FirstWins, tally.SecondWins, tally.Ties)
                : new PairTally(modelA, modelB, tally.SecondWins, tally.FirstWins, tally.Ties);
        }

        return new PairTally(modelA, modelB, 0, 0, 0);
    }

    internal IReadOnlyList<RawTally> RawPairs => _pairs;

    private int IndexOf(string model)
    {
        if (!_modelIndex.TryGetValue(model, out var index))
        {
            index = _models.Count;
            _modelIndex.Add(model, index);
            _models.Add(model);
        }

        return index;
    }

    /// <summary>A pair by model index (<see cref="First"/> &lt; <see cref="Second"/> in <see cref="Models"/>' order).</summary>
    internal record struct RawTally(int First, int Second)
    {
        public int FirstWins;
        public int SecondWins;
        public int Ties;
    }
}
