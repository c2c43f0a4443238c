using System.Globalization;
using CommunityEvals.TestStack;
using CommunityEvals.TestStack.Faults;

namespace CommunityEvals.Benchmarks;

/// <summary>
/// <c>eng/faults.sh</c>: the fault drill (<see cref="FaultDrill"/>) on a stack of its own, every fault or
/// those named, with one line of figures per fault and the checks after them.
/// </summary>
public static class Faults
{
    public static readonly Options Defaults = new(4, TimeSpan.FromSeconds(5));

    public static readonly string[] Allowed = ["--faults", "--clients", "--seconds"];

    public static async Task<int> RunAsync(Options options)
    {
        var faults = options.Faults.Count > 0 ? options.Faults : FaultDrill.AllFaults;
        var command = $"eng/faults.sh --faults {string.Join(',', faults)} --clients {options.Clients} --seconds {options.Duration.TotalSeconds.ToString(CultureInfo.InvariantCulture)}";
        Console.WriteLine("starting the stack (the AppHost on Aspire's testing host: private PostgreSQL, RabbitMQ, the services) ...");
        // Commits answered 200 must survive PostgreSQL's death, as in a real run.
        await using var stack = await Stack.StartAsync(new StackOptions { CrashSafePostgres = true, ServiceEnvironment = StackOptions.NoCallerLimits });
        var started = DateTime.UtcNow;
        var report = await FaultDrill.RunAsync(
            stack,
            new FaultDrillOptions { Faults = faults, Clients = options.Clients, Steady = options.Duration },
            line => Console.WriteLine($"[{(DateTime.UtcNow - started).TotalSeconds,6:F1} s] {line}"));
        Console.WriteLine();
        Console.WriteLine(report.Describe(command));
        return report.Violations.Count == 0 ? 0 : 1;
    }
}
