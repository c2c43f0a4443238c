namespace CommunityEvals.AppHost.Hosting;

/// <summary>Console output shared by the AppHost and the resources' echoed logs: one line at a time, prefixed, coloured on a terminal.</summary>
internal sealed class ConsoleSink
{
    private static readonly string[] Palette = ["36", "33", "35", "32", "34", "96", "93", "95", "92", "94"];

    private readonly Lock _gate = new();
    private readonly Dictionary<string, string> _colors = new(StringComparer.Ordinal);
    private readonly bool _useColor =
        !Console.IsOutputRedirected
        && Environment.GetEnvironmentVariable("NO_COLOR") is null
        && Environment.GetEnvironmentVariable("TERM") is not (null or "dumb");

    /// <summary>Writes <c>[source] line</c>.</summary>
    public void Line(string source, string line)
    {
        lock (_gate)
        {
            try
            {
                if (_useColor)
                {
                    if (!_colors.TryGetValue(source, out var color))
                    {
                        color = source == "apphost" ? "1" : Palette[_colors.Count % Palette.Length];
                        _colors[source] = color;
                    }

                    Console.Out.WriteLine($"\u001b[{color}m[{source}]\u001b[0m {line}");
                }
                else
                {
                    Console.Out.WriteLine($"[{source}] {line}");
                }
            }
            catch (IOException)
            {
                // Nobody reads our output any more; the log files still have everything.
            }
        }
    }

    /// <summary>Writes text as it is (the resource table).</summary>
    public void Raw(string text)
    {
        lock (_gate)
        {
            try
            {
                Console.Out.Write(text);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>Writes an error to stderr, each line prefixed with <c>[source]</c>.</summary>
    public void Error(string source, string message)
    {
        lock (_gate)
        {
            try
            {
                foreach (var line in message.Split('\n'))
                {
                    Console.Error.WriteLine(_useColor ? $"\u001b[31m[{source}]\u001b[0m {line}" : $"[{source}] {line}");
                }
            }
            catch (IOException)
            {
            }
        }
    }
}
