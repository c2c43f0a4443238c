using System.Text.Json;

namespace CommunityEvals.IntegrationTests.Infrastructure;

/// <summary>Small, complete Inspect eval logs (<c>.json</c> encoding) to upload as evidence.</summary>
public static class InspectLogs
{
    /// <summary>
    /// A successful run of <paramref name="model"/> on <c>hf/{dataset}/{task}</c>, one sample per
    /// score (<c>C</c> correct, <c>I</c> incorrect), whose headline accuracy is the share of <c>C</c>.
    /// </summary>
    public static byte[] Json(string dataset, string task, string model, params string[] scores)
    {
        var accuracy = scores.Count(score => score == "C") / (double)scores.Length;
        var log = new
        {
            version = 2,
            status = "success",
            eval = new
            {
                task = $"hf/{dataset}/{task}",
                task_id = $"run-{Guid.NewGuid():N}",
                model = $"hf/{model}",
                dataset = new { name = dataset, location = dataset, samples = scores.Length },
                config = new { },
            },
            results = new
            {
                total_samples = scores.Length,
                completed_samples = scores.Length,
                scores = new[] { new { name = "match", scorer = "match", metrics = new { accuracy = new { name = "accuracy", value = accuracy } } } },
            },
            samples = scores.Select((score, i) => new
            {
                id = $"s{i + 1}",
                epoch = 1,
                input = $"question {i + 1}",
                target = "yes",
                scores = new { match = new { value = score, answer = score == "C" ? "yes" : "no", explanation = "compared" } },
            }),
        };
        return JsonSerializer.SerializeToUtf8Bytes(log);
    }
}
