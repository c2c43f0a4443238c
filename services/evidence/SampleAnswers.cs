using System.Security.Cryptography;
using System.Text;

namespace CommunityEvals.Evidence;

/// <summary>
/// One sample's input and the model's final answer (its first epoch), kept from an accepted log for the
/// arena (ARENA.md "Where battles come from"). <see cref="InputHash"/> pairs two models' answers only
/// when both logs show the same input and choices.
/// </summary>
public sealed record SampleAnswer(string SampleId, string InputHash, string Input, string Answer);

/// <summary>Collects <see cref="SampleAnswer"/>s as samples are read: the lowest epoch of each id, samples without an answer skipped.</summary>
public sealed class SampleAnswerCollector(int maxAnswers)
{
    private readonly Dictionary<string, (int Epoch, SampleAnswer Answer)> _answers = new(StringComparer.Ordinal);

    public void Add(InspectSample sample)
    {
        if (string.IsNullOrWhiteSpace(sample.Completion))
        {
            return;
        }

        if (_answers.TryGetValue(sample.Id, out var known))
        {
            if (sample.Epoch < known.Epoch)
            {
                _answers[sample.Id] = (sample.Epoch, AnswerOf(sample));
            }

            return;
        }

        // A bound on what one log may make us keep; logs are read whole anyway.
        if (_answers.Count < maxAnswers)
        {
            _answers[sample.Id] = (sample.Epoch, AnswerOf(sample));
        }
    }

    public IReadOnlyList<SampleAnswer> Answers => [.. _answers.Values.Select(entry => entry.Answer)];

    private static SampleAnswer AnswerOf(InspectSample sample) =>
        new(sample.Id, InputHash(sample.Input, sample.Choices), sample.Input, sample.Completion!);

    /// <summary>SHA-256 of the input and each choice, separated so that no two different lists hash alike; hex.</summary>
    public static string InputHash(string input, IReadOnlyList<string> choices)
    {
        var text = new StringBuilder(input);
        foreach (var choice in choices)
        {
            text.Append('\u001f').Append(choice);
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
