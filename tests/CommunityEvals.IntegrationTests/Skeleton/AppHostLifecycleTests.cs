using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CommunityEvals.AppHost.Launchers;
using CommunityEvals.IntegrationTests.Infrastructure;

namespace CommunityEvals.IntegrationTests.Skeleton;

/// <summary>
/// The AppHost on its own, as README's run command starts it: it brings up its own PostgreSQL
/// and RabbitMQ, stops everything on SIGTERM, and keeps the data for the next start.
/// </summary>
public sealed class AppHostLifecycleTests : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), $"communityevals-apphost-{Guid.NewGuid():N}");

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Stops_without_leftovers_and_keeps_data_across_restarts()
    {
        var port = FreePort.Next();
        var environment = new Dictionary<string, string>();

        string token;
        await using (var first = AppHostProcess.Start(_dataDirectory, port, environment))
        {
            await first.WaitHealthyAsync(TimeSpan.FromSeconds(180));
            Assert.NotEmpty(ProcessesUsing(_dataDirectory));

            var adminToken = (await File.ReadAllTextAsync(Path.Combine(_dataDirectory, "admin-token"))).Trim();
            Assert.StartsWith("hf_", adminToken);
            using var admin = Client(first.Gateway, adminToken);
            using var created = await admin.PostAsJsonAsync("/api/users", new { name = "lifecycle-user" });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            token = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;

            Assert.Equal(0, await first.StopAsync(TimeSpan.FromSeconds(60)));
        }

        Assert.Empty(ProcessesUsing(_dataDirectory));
        Assert.True(FreePort.IsFree(port), $"port {port} is still taken after the stop");

        await using (var second = AppHostProcess.Start(_dataDirectory, port, environment))
        {
            await second.WaitHealthyAsync(TimeSpan.FromSeconds(180));
            using var user = Client(second.Gateway, token);

            var whoami = await Eventually.ValueAsync(async () =>
            {
                using var response = await user.GetAsync("/api/whoami-v2");
                return response.IsSuccessStatusCode ? (JsonElement?)await response.Content.ReadFromJsonAsync<JsonElement>() : null;
            }, "the user created before the restart");

            Assert.Equal("lifecycle-user", whoami.GetProperty("name").GetString());
            Assert.Equal(0, await second.StopAsync(TimeSpan.FromSeconds(60)));
        }

        Assert.Empty(ProcessesUsing(_dataDirectory));
    }

    [Fact]
    public async Task Writes_the_committed_manifest()
    {
        Directory.CreateDirectory(_dataDirectory);
        var repoRoot = RepoRoot.Path;
        var committed = Path.Combine(repoRoot, "aspire-manifest.json");
        // Relative paths in the manifest are relative to its own folder, so write it where the committed one lives.
        var candidate = Path.Combine(repoRoot, $"aspire-manifest.{Guid.NewGuid():N}.json");
        try
        {
            await using (var host = AppHostProcess.Run("--publisher", "manifest", "--output-path", candidate))
            {
                Assert.Equal(0, await host.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            }

            Assert.True(File.Exists(candidate), "the manifest was not written");
            Assert.Equal(await File.ReadAllTextAsync(committed), await File.ReadAllTextAsync(candidate));

            using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(candidate));
            var resources = manifest.RootElement.GetProperty("resources");
            Assert.Equal("project.v0", resources.GetProperty("gateway").GetProperty("type").GetString());
            Assert.Equal("container.v0", resources.GetProperty("postgres").GetProperty("type").GetString());
            Assert.Equal("value.v0", resources.GetProperty("evals").GetProperty("type").GetString());
            Assert.Equal("container.v0", resources.GetProperty("eventbus").GetProperty("type").GetString());
            Assert.Equal("parameter.v0", resources.GetProperty("admin-token").GetProperty("type").GetString());
        }
        finally
        {
            File.Delete(candidate);
        }
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }

        return Task.CompletedTask;
    }

    private static HttpClient Client(Uri gateway, string token)
    {
        var client = new HttpClient { BaseAddress = gateway };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Every live process whose command line or environment mentions the directory.</summary>
    private static List<string> ProcessesUsing(string directory)
    {
        var found = new List<string>();
        foreach (var procDir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(procDir), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                var commandLine = File.ReadAllText(Path.Combine(procDir, "cmdline")).Replace('\0', ' ');
                var environment = File.ReadAllText(Path.Combine(procDir, "environ"));
                if (commandLine.Contains(directory) || environment.Contains(directory))
                {
                    found.Add($"{pid}: {commandLine}");
                }
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // The process ended while we looked.
            }
        }

        return found;
    }
}
