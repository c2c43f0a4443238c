using System.Diagnostics;
using CommunityEvals.IntegrationTests.Infrastructure;

namespace CommunityEvals.IntegrationTests.Documentation;

/// <summary>
/// README's walk-through, run as a newcomer pastes it (<c>eng/readme-examples.sh</c>) against this
/// run's stack, whose data directory is laid out as <c>.data/</c> is: every example must succeed in
/// order, and every file README shows must be shown as it is.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class ReadmeExamplesTests(StackFixture stack)
{
    [Fact]
    public async Task Every_README_example_runs_in_order()
    {
        var info = new ProcessStartInfo("bash", [Path.Combine(RepoRoot.Path, "eng", "readme-examples.sh")])
        {
            WorkingDirectory = RepoRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["GATEWAY"] = stack.Gateway.ToString().TrimEnd('/'),
                ["DATA_DIR"] = stack.DataDirectory,
            },
        };
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        Assert.True(process.ExitCode == 0, $"eng/readme-examples.sh exited {process.ExitCode}:\n{await output}\n{await errors}");
        Assert.Contains("README examples: all ran", await output);
    }
}
