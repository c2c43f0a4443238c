namespace CommunityEvals.IntegrationTests.Infrastructure;

public static class RepoRoot
{
    /// <summary>The checkout this test run was built from (the folder holding CommunityEvals.sln).</summary>
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "CommunityEvals.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (CommunityEvals.sln) was not found above the test binaries.");
    }
}
