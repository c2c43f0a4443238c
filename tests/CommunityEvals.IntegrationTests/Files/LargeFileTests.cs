using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using CommunityEvals.IntegrationTests.Infrastructure;

namespace CommunityEvals.IntegrationTests.Files;

/// <summary>Issue 18: a 60 MiB data file goes up and comes back through the gateway, streamed, not held.</summary>
[Collection(StackCollection.Name)]
public sealed class LargeFileTests(StackFixture stack)
{
    private const int Size = 60 * 1024 * 1024;
    private const long AllowedGrowthBytes = 64L * 1024 * 1024;

    [Fact]
    public async Task A_60_MiB_file_is_uploaded_and_downloaded_whole_and_in_part_without_any_process_holding_it()
    {
        var s = await stack.CreateScenarioAsync("large");
        var bytes = new byte[Size];
        new Random(18).NextBytes(bytes);
        var sha = DataFileSteps.Sha256Of(bytes);

        var processes = new[] { "gateway", "ingestion", "verification", "leaderboard-projection", "web" }
            .Select(name => (Name: name, Pid: stack.Pid(name)))
            .Where(process => process.Pid is not null)
            .Select(process => (process.Name, Pid: process.Pid!.Value))
            .ToList();
        Assert.Contains(processes, process => process.Name == "ingestion");
        var idle = processes.ToDictionary(process => process.Name, process => ResetPeak(process.Pid));

        await s.Owner.UploadAsync(s.Dataset, sha, () => new ByteArrayContent(bytes), bytes.Length);
        using (var committed = await s.Owner.CommitUploadedAsync(s.Dataset, "main", [("data/large.bin", sha, bytes.LongLength)]))
        {
            Assert.Equal(HttpStatusCode.OK, committed.StatusCode);
        }

        using var reader = stack.Client(null);
        reader.Timeout = TimeSpan.FromMinutes(2);
        using (var whole = await reader.GetAsync($"/datasets/{s.Dataset}/resolve/main/data/large.bin", HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
            Assert.Equal($"\"{sha}\"", whole.Headers.ETag?.Tag);
            Assert.Equal(Size, whole.Content.Headers.ContentLength);
            await using var body = await whole.Content.ReadAsStreamAsync();
            Assert.Equal(sha, Convert.ToHexStringLower(await SHA256.HashDataAsync(body)));
        }

        // A range across a chunk boundary (chunks are 1 MiB).
        const int from = 3 * 1024 * 1024 - 100, to = 3 * 1024 * 1024 + 99;
        using (var part = new HttpRequestMessage(HttpMethod.Get, $"/datasets/{s.Dataset}/resolve/main/data/large.bin"))
        {
            part.Headers.Range = new RangeHeaderValue(from, to);
            using var answer = await reader.SendAsync(part);
            Assert.Equal(HttpStatusCode.PartialContent, answer.StatusCode);
            Assert.Equal($"bytes {from}-{to}/{Size}", answer.Content.Headers.ContentRange?.ToString());
            Assert.Equal(bytes[from..(to + 1)], await answer.Content.ReadAsByteArrayAsync());
        }

        foreach (var (name, pid) in processes)
        {
            var growth = PeakBytes(pid) - idle[name];
            Assert.True(growth < AllowedGrowthBytes, $"{name}'s peak memory grew by {growth / 1048576.0:F1} MiB over the upload and downloads (limit 64 MiB)");
        }
    }

    /// <summary>Resets the process's peak resident size to its current one (Linux clear_refs 5) and returns it.</summary>
    private static long ResetPeak(int pid)
    {
        File.WriteAllText($"/proc/{pid}/clear_refs", "5");
        return Status(pid, "VmRSS");
    }

    private static long PeakBytes(int pid) => Status(pid, "VmHWM");

    private static long Status(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(line => line.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
}
