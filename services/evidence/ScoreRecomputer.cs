namespace CommunityEvals.Evidence;

/// <summary>What recomputing the headline from the sample records gave.</summary>
public sealed record Recomputation
{
    /// <summary>The score key read from each sample (<c>scores.&lt;Scorer&gt;</c>); null when none could be chosen.</summary>
    public string? Scorer { get; init; }

    public string Reducer { get; init; } = "mean";

    /// <summary>The mean of the reduced sample values (a fraction for accuracy); null when no sample counted.</summary>
    public double? Value { get; init; }

    /// <summary>Sample standard deviation (n - 1) over sqrt(n); 0 for fewer than two samples.</summary>
    public double Stderr { get; init; }

    /// <summary>Samples (after reducing epochs) that entered the mean.</summary>
    public int Samples { get; init; }

    /// <summary>Sample records read (samples x epochs, errored ones included).</summary>
    public int Records { get; init; }

    /// <summary>Distinct sample ids among the records.</summary>
    public int DistinctSamples { get; init; }

    /// <summary>The most epochs any one sample has.</summary>
    public int MaxEpochs { get; init; }

    public int ErroredRecords { get; init; }

    /// <summary>Records without a usable value for the scorer (no score, null, NaN).</summary>
    public int UnscoredRecords { get; init; }

    /// <summary>Records whose value has no numeric reading (counted as 0, as Inspect does).</summary>
    public int UnmappableRecords { get; init; }

    /// <summary>Why nothing could be recomputed (no scorer could be chosen, unknown reducer); null when fine.</summary>
    public string? Problem { get; init; }

    /// <summary>All records scored below 1 (errored ones excluded).</summary>
    public int FailuresTotal { get; init; }

    /// <summary>The first <see cref="EvidenceOptions.MaxFailures"/> of them, in log order, texts cut.</summary>
    public IReadOnlyList<SampleFailure> Failures { get; init; } = [];
}

/// <summary>A sample record the scorer marked wrong (its value mapped below 1).</summary>
/// <param name="ScoreJson">
/// The sample's score value as the log has it, as JSON text (<c>"I"</c>, <c>0</c>, <c>0.5</c>, ...): public
/// even where the texts are not. Text rather than a JSON element so that failures compare by value.
/// </param>
public sealed record SampleFailure(string SampleId, int Epoch, string Input, string Target, string? Answer, string? Explanation, string? ScoreJson = null);

/// <summary>
/// Recomputes a log's headline from its sample records, fed one at a time (memory: a few numbers per
/// sample id, plus the kept failures). Per record the value of <c>scores[scorer]</c> is mapped with
/// <see cref="ScoreValues"/>; errored records are dropped; each sample's epochs are reduced with the
/// log's reducer; the value is the mean and the stderr is the sample standard deviation over sqrt(n).
/// The scorer is the one the log's headline (<c>results.scores[0]</c>) names, else the only one samples carry.
/// </summary>
public sealed class ScoreRecomputer
{
    private readonly EvidenceOptions _options;
    private readonly string? _headlineName;
    private readonly string? _headlineScorer;
    private readonly EpochReducer? _reducer;
    private readonly string _reducerName;
    private readonly Dictionary<string, SampleState> _samples = new(StringComparer.Ordinal);
    private readonly List<SampleFailure> _failures = [];
    private string? _scorer;
    private string? _problem;
    private int _records;
    private int _errored;
    private int _unscored;
    private int _unmappable;
    private int _failuresTotal;
    private int _maxEpochs;

    public ScoreRecomputer(InspectLogHeader header, EvidenceOptions? options = null)
    {
        _options = options ?? EvidenceOptions.Default;
        var headline = header.Headline;
        _headlineName = headline?.Name;
        _headlineScorer = headline?.Scorer;
        _scorer = _headlineName;
        _reducerName = headline?.Reducer ?? header.Config.EpochsReducer.FirstOrDefault() ?? "mean";
        if (EpochReducer.TryParse(_reducerName, out var reducer))
        {
            _reducer = reducer;
            _reducerName = reducer.Name;
        }
        else
        {
            _problem = $"unsupported epochs reducer '{_reducerName}' (known: mean, median, mode, max, at_least_N, pass_at_N, pass_N)";
        }
    }

    /// <summary>Adds one record.</summary>
    /// <exception cref="InspectLogFormatException">The same sample id and epoch appear twice.</exception>
    public void Add(InspectSample sample)
    {
        _records++;
        _maxEpochs = Math.Max(_maxEpochs, sample.Epoch);
        var value = double.NaN;
        if (sample.HasError)
        {
            _errored++;
        }
        else if (_problem is null && Pick(sample) is { } score)
        {
            if (!ScoreValues.TryMap(score.Value, _headlineName, out value))
            {
                _unmappable++;
                value = 0;
            }

            if (double.IsNaN(value))
            {
                _unscored++;
            }
            else if (value < 1)
            {
                _failuresTotal++;
                if (_failures.Count < _options.MaxFailures)
                {
                    var max = _options.MaxFailureTextChars;
                    _failures.Add(new SampleFailure(
                        sample.Id,
                        sample.Epoch,
                        Reading.JsonFacts.Cut(sample.Input, max),
                        Reading.JsonFacts.Cut(sample.TargetText, max),
                        score.Answer is null ? null : Reading.JsonFacts.Cut(score.Answer, max),
                        score.Explanation is null ? null : Reading.JsonFacts.Cut(score.Explanation, max),
                        score.Value.ValueKind is System.Text.Json.JsonValueKind.String or System.Text.Json.JsonValueKind.Number
                            or System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False ? score.Value.GetRawText() : null));
                }
            }
        }
        else
        {
            _unscored++;
        }

        if (!_samples.TryGetValue(sample.Id, out var state))
        {
            _samples.Add(sample.Id, new SampleState(sample.Epoch, value));
        }
        else if (!state.Add(sample.Epoch, value))
        {
            throw new InspectLogFormatException($"sample id {sample.Id} epoch {sample.Epoch} appears twice");
        }
    }

    private InspectSampleScore? Pick(InspectSample sample)
    {
        if (_scorer is null)
        {
            if (sample.Scores.Count == 0)
            {
                return null;
            }

            if (sample.Scores.Count > 1)
            {
                _problem = "the log names no headline score and samples carry several scorers ("
                    + string.Join(", ", sample.Scores.Keys.Order(StringComparer.Ordinal)) + ")";
                return null;
            }

            _scorer = sample.Scores.Keys.First();
        }

        if (sample.Scores.TryGetValue(_scorer, out var score))
        {
            return score;
        }

        // A headline entry of a dict-valued scorer is named after the key; samples key by the scorer.
        return _headlineScorer is not null && sample.Scores.TryGetValue(_headlineScorer, out score) ? score : null;
    }

    public Recomputation Complete()
    {
        var reduced = new List<double>(_samples.Count);
        if (_problem is null)
        {
            foreach (var state in _samples.Values)
            {
                var v = state.Reduce(_reducer!);
                if (!double.IsNaN(v))
                {
                    reduced.Add(v);
                }
            }
        }

        double? mean = null;
        var stderr = 0.0;
        if (reduced.Count > 0)
        {
            var sum = 0.0;
            foreach (var v in reduced)
            {
                sum += v;
            }

            mean = sum / reduced.Count;
            if (reduced.Count > 1)
            {
                var squares = 0.0;
                foreach (var v in reduced)
                {
                    squares += (v - mean.Value) * (v - mean.Value);
                }

                stderr = Math.Sqrt(squares / (reduced.Count - 1)) / Math.Sqrt(reduced.Count);
            }
        }

        return new Recomputation
        {
            Scorer = _scorer,
            Reducer = _reducerName,
            Value = mean,
            Stderr = stderr,
            Samples = reduced.Count,
            Records = _records,
            DistinctSamples = _samples.Count,
            MaxEpochs = _maxEpochs,
            ErroredRecords = _errored,
            UnscoredRecords = _unscored,
            UnmappableRecords = _unmappable,
            Problem = _problem,
            FailuresTotal = _failuresTotal,
            Failures = _failures,
        };
    }

    /// <summary>One sample id's epochs: the first inline, more in a list only when there are several.</summary>
    private sealed class SampleState(int firstEpoch, double firstValue)
    {
        private List<(int Epoch, double Value)>? _more;

        public bool Add(int epoch, double value)
        {
            if (epoch == firstEpoch || (_more?.Exists(x => x.Epoch == epoch) ?? false))
            {
                return false;
            }

            (_more ??= []).Add((epoch, value));
            return true;
        }

        public double Reduce(EpochReducer reducer)
        {
            if (_more is null)
            {
                return double.IsNaN(firstValue) ? double.NaN : reducer.Reduce([firstValue]);
            }

            var values = new double[_more.Count + 1];
            values[0] = firstValue;
            for (var i = 0; i < _more.Count; i++)
            {
                values[i + 1] = _more[i].Value;
            }

            return reducer.Reduce(values);
        }
    }
}
