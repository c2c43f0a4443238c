using System.Text.Json;

namespace CommunityEvals.IntegrationTests.Infrastructure;

/// <summary>Small, complete Inspect eval logs (<c>.json</c> encoding) to upload as evidence.</summary>
public static class InspectLogs
{
    /// <summary>
    /// A successful run of <paramref name="model"/> on <c>hf/{dataset}/{task}</c>, one sample per
    /// score (<c>C</c> correct, <c>I</c> incorrect), whose headline accuracy is the share of <c>C</c>.
    /// </summary>
    public static byte[] Json(string dataset, string task, string model, params string[] scores) => Json(dataset, task, model, scores, answers: null);

    /// <summary>As <see cref="Json(string, string, string, string[])"/>, each sample with the model's answer as <c>output.completion</c> (what the arena shows).</summary>
    public static byte[] Json(string dataset, string task, string model, IReadOnlyList<string> scores, IReadOnlyList<string>? answers)
    {
        var accuracy = scores.Count(score => score == "C") / (double)scores.Count;
        var log = new
        {
            version = 2,
            status = "success",
            eval = new
            {
                task = $"hf/{dataset}/{task}",
                task_id = $"run-{Guid.NewGuid():N}",
                model = $"hf/{model}",
                dataset = new { name = dataset, location = dataset, samples = scores.Count },
                config = new { },
            },
            results = new
            {
                total_samples = scores.Count,
                completed_samples = scores.Count,
                scores = new[] { new { name = "match", scorer = "match", metrics = new { accuracy = new { name = "accuracy", value = accuracy } } } },
            },
            samples = scores.Select((score, i) => new
            {
                id = $"s{i + 1}",
                epoch = 1,
                input = $"question {i + 1}",
                target = "yes",
                output = answers is null ? null : new { completion = answers[i] },
                scores = new { match = new { value = score, answer = score == "C" ? "yes" : "no", explanation = "compared" } },
            }),
        };
        return JsonSerializer.SerializeToUtf8Bytes(log);
    }
}
