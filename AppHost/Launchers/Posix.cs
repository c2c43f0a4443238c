using System.Runtime.InteropServices;

namespace CommunityEvals.AppHost.Launchers;

/// <summary>The few POSIX calls the launchers need: signals, process identity, file modes, ownership.</summary>
public static class Posix
{
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    private const int EPERM = 1;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SysKill(int pid, int signal);

    /// <summary>True when this process runs as root (PostgreSQL then has to run as the postgres user).</summary>
    public static bool IsRoot => Environment.IsPrivilegedProcess;

    /// <summary>Sends <paramref name="signal"/> to one process. False when it does not exist (any more).</summary>
    public static bool Signal(int pid, int signal) => pid > 0 && SysKill(pid, signal) == 0;

    /// <summary>Sends <paramref name="signal"/> to a whole process group (a child started with setsid leads its own).</summary>
    public static bool SignalGroup(int processGroupId, int signal) =>
        processGroupId > 1 && SysKill(-processGroupId, signal) == 0;

    /// <summary>True when the process exists and is not a zombie.</summary>
    public static bool IsAlive(int pid)
    {
        if (pid <= 0)
        {
            return false;
        }

        if (SysKill(pid, 0) != 0 && Marshal.GetLastPInvokeError() != EPERM)
        {
            return false;
        }

        var stat = ReadStat(pid);
        return stat is null || stat.Value.State != 'Z';
    }

    /// <summary>
    /// The process start time (clock ticks since boot, field 22 of /proc/&lt;pid&gt;/stat). Together with the PID it
    /// names one process: a recycled PID has another start time. Null when the process does not exist.
    /// </summary>
    public static long? StartTime(int pid) => ReadStat(pid)?.StartTime;

    /// <summary>True when <paramref name="pid"/> is alive and is still the process that had <paramref name="startTime"/>.</summary>
    public static bool IsSameProcess(int pid, long startTime) => IsAlive(pid) && StartTime(pid) == startTime;

    /// <summary>The process command line (arguments joined by spaces), or null.</summary>
    public static string? CommandLine(int pid)
    {
        try
        {
            var raw = File.ReadAllText($"/proc/{pid}/cmdline");
            return raw.Replace('\0', ' ').Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The process environment, or an empty dictionary when it cannot be read.</summary>
    public static IReadOnlyDictionary<string, string> ProcessEnvironment(int pid)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            foreach (var entry in File.ReadAllText($"/proc/{pid}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = entry.IndexOf('=');
                if (eq > 0)
                {
                    result[entry[..eq]] = entry[(eq + 1)..];
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return result;
    }

    /// <summary>PIDs of live processes whose short name (/proc/&lt;pid&gt;/comm) is <paramref name="comm"/>.</summary>
    public static IEnumerable<int> ProcessesNamed(string comm)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            string name;
            try
            {
                name = File.ReadAllText(Path.Combine(dir, "comm")).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            if (name == comm && IsAlive(pid))
            {
                yield return pid;
            }
        }
    }

    /// <summary>
    /// Sends SIGTERM, waits up to <paramref name="grace"/> for the process to go, then SIGKILL.
    /// With <paramref name="group"/> the whole process group led by <paramref name="pid"/> is signalled.
    /// </summary>
    public static async Task TerminateAsync(int pid, TimeSpan grace, bool group = false)
    {
        if (!IsAlive(pid))
        {
            return;
        }

        if (!(group && SignalGroup(pid, SIGTERM)))
        {
            Signal(pid, SIGTERM);
        }

        if (await WaitForExitAsync(pid, grace))
        {
            if (group)
            {
                SignalGroup(pid, SIGKILL); // stragglers of the group
            }

            return;
        }

        if (!(group && SignalGroup(pid, SIGKILL)))
        {
            Signal(pid, SIGKILL);
        }

        await WaitForExitAsync(pid, TimeSpan.FromSeconds(5));
    }

    /// <summary>Polls until the process is gone. True when it went within <paramref name="timeout"/>.</summary>
    public static async Task<bool> WaitForExitAsync(int pid, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (IsAlive(pid))
        {
            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            await Task.Delay(50);
        }

        return true;
    }

    /// <summary>Sets a file's mode (ignored on Windows, where none of this runs).</summary>
    public static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }

    /// <summary>Writes a file only its owner can read (0600), replacing it atomically.</summary>
    public static void WritePrivateFile(string path, string content)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(path)}.{System.Environment.ProcessId}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temp, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(content);
        }

        SetMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Reads a secret kept in a 0600 file, creating it with <paramref name="generate"/> when missing.</summary>
    public static (string Value, bool Created) ReadOrCreateSecret(string path, Func<string> generate)
    {
        if (File.Exists(path))
        {
            var existing = File.ReadAllText(path).Trim();
            if (existing.Length > 0)
            {
                return (existing, false);
            }
        }

        var value = generate();
        WritePrivateFile(path, value + "\n");
        return (value, true);
    }

    /// <summary>A random string of ASCII letters and digits (safe in URLs, config files and shells).</summary>
    public static string RandomAlphanumeric(int length)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        return System.Security.Cryptography.RandomNumberGenerator.GetString(alphabet, length);
    }

    private readonly record struct Stat(char State, long StartTime);

    private static Stat? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // "pid (comm) state ppid ..." where comm may hold spaces and parentheses: split after the last ')'.
        var close = text.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        var fields = text[(close + 2)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 20 || !long.TryParse(fields[19], out var start))
        {
            return null;
        }

        return new Stat(fields[0][0], start);
    }
}
