using System.Runtime.InteropServices;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Each service in a session of its own, as a container would be in a cgroup of its own. Linux with
/// autogroup scheduling (the kernel's default on these machines) shares the CPU fairly between
/// sessions, not processes, and the orchestrator starts every service in its own one session, while
/// each PostgreSQL backend makes one for itself: under load the services then shared one slice
/// against PostgreSQL's sixteen (eng/bench.sh freshness: the projection got 0.22 cores instead of
/// 0.39, and SSE p99 went from about 220 to 780 ms).
/// </summary>
internal static partial class SchedulingGroup
{
    public static void Separate()
    {
        if (OperatingSystem.IsLinux())
        {
            // Fails (EPERM) only for a process group leader, which already leads a session or group of its own.
            _ = setsid();
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int setsid();
}
