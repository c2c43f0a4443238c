using System.Globalization;
using System.Text;
using CommunityEvals.TestStack;

namespace CommunityEvals.Benchmarks;

/// <summary>What the benchmarks wait for and measure of a <see cref="Stack"/>'s services.</summary>
public static class StackServices
{
    /// <summary>
    /// Waits (up to <paramref name="max"/>) until the services and PostgreSQL together use less than
    /// <paramref name="cores"/> over a second, or their use holds steady (the idle stack polls, so it
    /// never drops to nothing): setup's after-effects (daemons catching up, consumers draining the
    /// bus) should not land in a measurement. Returns the cores they used in the last second.
    /// </summary>
    public static async Task<double> WaitQuietAsync(Stack stack, TimeSpan max, double cores = 0.15)
    {
        var deadline = DateTime.UtcNow + max;
        var previous = double.MaxValue;
        while (true)
        {
            var meter = CpuMeter.For(stack).Start();
            await Task.Delay(1000);
            var report = meter.Stop();
            var used = report.Seconds.Where(p => p.Key is not (CpuReport.Machine or CpuMeter.Client)).Sum(p => p.Value) / report.WallSeconds;
            if (used < cores || Math.Abs(used - previous) < 0.05 || DateTime.UtcNow >= deadline)
            {
                return used;
            }

            previous = used;
        }
    }

    /// <summary>CPU the stack uses with nothing to do (polling daemons, watchers, health checks), over <paramref name="window"/>.</summary>
    public static async Task<CpuReport> IdleAsync(Stack stack, TimeSpan window)
    {
        var meter = CpuMeter.For(stack).Start();
        await Task.Delay(window);
        return meter.Stop();
    }
}

/// <summary>
/// CPU seconds used by processes over a window, from /proc: this process, each service, the
/// PostgreSQL server (postmaster and its backends), and the whole machine, so a result can say
/// where the time went and how busy the machine was with other things.
/// </summary>
public sealed class CpuMeter
{
    public const string Client = "benchmark client";

    private const double TicksPerSecond = 100; // USER_HZ on Linux

    private readonly List<(string Name, Func<double> Read)> _sources = [];
    private Dictionary<string, double> _start = [];
    private DateTime _started;

    public static CpuMeter For(Stack stack)
    {
        var meter = new CpuMeter();
        meter.Add(Client, () => System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds);
        foreach (var service in Stack.Services)
        {
            if (stack.Pid(service) is { } pid)
            {
                meter.Add(service, () => ProcessSeconds(pid, withReapedChildren: false));
            }
        }

        if (stack.Pid(Stack.Postgres) is { } postmaster)
        {
            meter.Add("postgresql", () => TreeSeconds(postmaster));
        }

        return meter;
    }

    public void Add(string name, Func<double> read) => _sources.Add((name, read));

    public CpuMeter Start()
    {
        _start = Read();
        _started = DateTime.UtcNow;
        return this;
    }

    /// <summary>CPU seconds per source since <see cref="Start"/>, with the machine's total and the wall time.</summary>
    public CpuReport Stop()
    {
        var end = Read();
        var wall = (DateTime.UtcNow - _started).TotalSeconds;
        return new CpuReport(wall, end.ToDictionary(pair => pair.Key, pair => pair.Value - _start.GetValueOrDefault(pair.Key)));
    }

    private Dictionary<string, double> Read()
    {
        var values = new Dictionary<string, double>();
        foreach (var (name, read) in _sources)
        {
            values[name] = read();
        }

        values[CpuReport.Machine] = MachineBusySeconds();
        return values;
    }

    /// <summary>utime + stime (+ cutime + cstime: what its exited children used) of one process.</summary>
    public static double ProcessSeconds(int pid, bool withReapedChildren)
    {
        var fields = ProcessTable.Stat(pid);
        if (fields is null)
        {
            return 0;
        }

        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        if (withReapedChildren)
        {
            ticks += long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
        }

        return ticks / TicksPerSecond;
    }

    /// <summary>A server and its live children (PostgreSQL's backends), with what exited children used.</summary>
    public static double TreeSeconds(int parent)
    {
        var total = ProcessSeconds(parent, withReapedChildren: true);
        foreach (var pid in ProcessTable.ChildrenOf(parent))
        {
            total += ProcessSeconds(pid, withReapedChildren: false);
        }

        return total;
    }

    /// <summary>Busy CPU seconds of the whole machine (all cores; everything but idle and iowait).</summary>
    public static double MachineBusySeconds()
    {
        var line = File.ReadLines("/proc/stat").First();
        var numbers = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        // user nice system idle iowait irq softirq steal (guest times are already in user)
        var busy = numbers[0] + numbers[1] + numbers[2] + numbers[5] + numbers[6] + (numbers.Length > 7 ? numbers[7] : 0);
        return busy / TicksPerSecond;
    }
}

public sealed record CpuReport(double WallSeconds, IReadOnlyDictionary<string, double> Seconds)
{
    public const string Machine = "machine";

    /// <summary>Cores busy on the machine that none of the measured processes account for (others' tests, the OS).</summary>
    public double OtherCores =>
        Math.Max(0, Seconds.GetValueOrDefault(Machine) - Seconds.Where(p => p.Key != Machine).Sum(p => p.Value)) / WallSeconds;

    /// <summary>Lines: cores used by each process on average, and CPU ms per operation when <paramref name="operations"/> is given.</summary>
    public string Describe(long? operations = null, string indent = "  ")
    {
        var text = new StringBuilder();
        foreach (var (name, seconds) in Seconds.Where(p => p.Key != Machine).OrderByDescending(p => p.Value))
        {
            text.Append(CultureInfo.InvariantCulture, $"{indent}{name,-24} {seconds / WallSeconds,5:F2} cores");
            if (operations is > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $", {seconds * 1000 / operations.Value:F3} CPU ms per op");
            }

            text.AppendLine();
        }

        text.Append(CultureInfo.InvariantCulture,
            $"{indent}{"whole machine",-24} {Seconds.GetValueOrDefault(Machine) / WallSeconds,5:F2} of {Environment.ProcessorCount} cores busy ({OtherCores:F2} by other processes)");
        return text.ToString();
    }
}
