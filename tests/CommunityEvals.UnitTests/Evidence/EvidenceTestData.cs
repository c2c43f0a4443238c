using System.Runtime.CompilerServices;
using CommunityEvals.Evidence;

namespace CommunityEvals.UnitTests.Evidence;

internal static class EvidenceTestData
{
    public static string Fixtures { get; } = Locate();

    public static string Fixture(string name) => Path.Combine(Fixtures, name);

    /// <summary>The claim that the default <see cref="LogSpec"/> backs (percent scale, 75% correct).</summary>
    public static EvidenceClaim Claim(double value = 75, string? text = "75.0", double? rangeMax = 100, int? declared = null) =>
        new("acme/model-7b", "acme/bench", "main", value, text, rangeMax is null ? null : 0, rangeMax, declared);

    public static VerificationReport Verify(byte[] log, EvidenceClaim? claim = null, EvidenceOptions? options = null)
    {
        using var stream = new MemoryStream(log, writable: false);
        return EvidenceVerifier.Verify(stream, claim ?? Claim(), options);
    }

    public static VerificationReport Verify(LogSpec spec, bool eval, EvidenceClaim? claim = null) =>
        Verify(InspectLogGenerator.Log(spec, eval), claim);

    public static List<InspectSample> Samples(byte[] log, out InspectLogHeader header, EvidenceOptions? options = null)
    {
        using var stream = new MemoryStream(log, writable: false);
        using var reader = InspectLogReader.Open(stream, options);
        header = reader.Header;
        return reader.ReadSamples().ToList();
    }

    public static string Failed(VerificationReport report) =>
        string.Join("; ", report.Checks.Where(c => !c.Ok).Select(c => $"{c.Name}: {c.Detail}"));

    private static string Locate([CallerFilePath] string sourceFile = "")
    {
        var output = Path.Combine(AppContext.BaseDirectory, "Evidence", "Fixtures");
        return Directory.Exists(output) ? output : Path.Combine(Path.GetDirectoryName(sourceFile)!, "Fixtures");
    }
}
