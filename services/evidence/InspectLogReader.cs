using System.Runtime.ExceptionServices;
using System.Text.Json;
using CommunityEvals.Evidence.Reading;

namespace CommunityEvals.Evidence;

/// <summary>
/// Reads an Inspect eval log in either encoding (a zip, recognised by <c>PK\x03\x04</c>, else JSON) without
/// holding its samples: <see cref="Open(Stream, EvidenceOptions?)"/> reads the header facts, and
/// <see cref="ReadSamples"/> streams the sample records one at a time, in log order (the <c>samples</c>
/// array's order, or the zip's central directory order). Memory is bounded by the largest single value
/// read, not by the number of samples: <c>.json</c> is walked with <see cref="Utf8JsonReader"/> over a
/// refillable buffer (only <c>eval</c>, <c>results</c> and one sample's needed fields become small DOMs);
/// <c>.eval</c> is read with a streaming zip reader that walks the central directory record by record
/// and inflates one entry at a time. Bare <c>NaN</c>/<c>Infinity</c>/<c>-Infinity</c> are accepted.
/// <para>
/// Errors: a malformed log, or one past a limit of <see cref="EvidenceOptions"/>, raises
/// <see cref="InspectLogFormatException"/> (from <c>Open</c>, or while enumerating samples) with one
/// readable line; no other exception escapes for bad input.
/// </para>
/// </summary>
public sealed class InspectLogReader : IDisposable
{
    private const string HeaderEntry = "header.json";
    private const int SmallValue = 64 * 1024;

    /// <summary><c>.eval</c> logs with at least this many sample entries are read on two threads.</summary>
    private const int ParallelMinEntries = 256;

    /// <summary>Sample entries handed to a thread at a time.</summary>
    private const int BatchEntries = 64;

    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly EvidenceOptions _options;
    private readonly StreamingZip? _zip;
    private readonly ZipBudget _budget = new();
    private long _declaredSampleBytes;
    private bool _disposed;

    private InspectLogReader(Stream stream, bool ownsStream, EvidenceOptions options, StreamingZip? zip)
    {
        _stream = stream;
        _ownsStream = ownsStream;
        _options = options;
        _zip = zip;
        Encoding = zip is null ? InspectLogEncoding.Json : InspectLogEncoding.Eval;
    }

    public InspectLogEncoding Encoding { get; }

    public InspectLogHeader Header { get; private set; } = new();

    /// <summary>How many sample entries the zip holds (<c>.eval</c> only; null for <c>.json</c>).</summary>
    public int? SampleEntryCount { get; private set; }

    /// <summary>Opens a log file.</summary>
    public static InspectLogReader Open(string path, EvidenceOptions? options = null)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        try
        {
            return Open(stream, options, ownsStream: true);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens a log from a stream and reads its header. A seekable stream at position 0 is read in place
    /// (it is left open); anything else is first copied, from where it is, to a temporary file (deleted on dispose).
    /// </summary>
    /// <exception cref="InspectLogFormatException">The log is malformed or past a limit.</exception>
    public static InspectLogReader Open(Stream stream, EvidenceOptions? options = null) => Open(stream, options, ownsStream: false);

    private static InspectLogReader Open(Stream stream, EvidenceOptions? options, bool ownsStream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        options ??= EvidenceOptions.Default;
        if (!stream.CanRead)
        {
            throw new ArgumentException("the stream cannot be read", nameof(stream));
        }

        if (!stream.CanSeek || stream.Position != 0)
        {
            var spooled = Spool(stream, options);
            if (ownsStream)
            {
                stream.Dispose();
            }

            stream = spooled;
            ownsStream = true;
        }

        InspectLogReader? reader = null;
        try
        {
            if (stream.Length == 0)
            {
                throw new InspectLogFormatException("the log is empty");
            }

            if (stream.Length > options.MaxLogBytes)
            {
                throw new InspectLogFormatException($"the log is {stream.Length} bytes, over the limit of {options.MaxLogBytes}");
            }

            Span<byte> magic = stackalloc byte[4];
            stream.Position = 0;
            var got = stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
            stream.Position = 0;

            if (got == 4 && ZipMagic.IsZip(magic))
            {
                StreamingZip zip;
                try
                {
                    zip = StreamingZip.Open(stream);
                }
                catch (Exception e) when (e is InvalidDataException or IOException)
                {
                    throw new InspectLogFormatException($"not a readable zip archive: {e.Message}", e);
                }

                reader = new InspectLogReader(stream, ownsStream, options, zip);
            }
            else
            {
                reader = new InspectLogReader(stream, ownsStream, options, null);
            }

            Translate(reader.ReadHeader);
            return reader;
        }
        catch
        {
            if (reader is not null)
            {
                reader.Dispose();
            }
            else if (ownsStream)
            {
                stream.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// The sample records, one at a time, in log order. May be enumerated more than once.
    /// Enumeration raises <see cref="InspectLogFormatException"/> when a sample is malformed or past a limit.
    /// </summary>
    public IEnumerable<InspectSample> ReadSamples(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var inner = (_zip is null ? JsonSamples() : EvalSamples()).GetEnumerator();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            InspectSample current;
            try
            {
                if (!inner.MoveNext())
                {
                    yield break;
                }

                current = inner.Current;
            }
            catch (Exception e) when (ToFormatException(e) is { } translated && !ReferenceEquals(translated, e))
            {
                throw translated;
            }

            yield return current;
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_ownsStream)
        {
            _stream.Dispose();
        }
    }

    // ---------------------------------------------------------------- header

    private void ReadHeader()
    {
        if (_zip is null)
        {
            _stream.Position = 0;
            using var filtered = new NamedFloatLiteralStream(_stream, leaveOpen: true);
            var cursor = NewCursor(filtered);
            Header = ReadLogObject(cursor, "the log");
            if (cursor.Read())
            {
                throw new InspectLogFormatException("unexpected content after the log object");
            }

            return;
        }

        if (_zip.EntryCount > _options.MaxEntries)
        {
            throw new InspectLogFormatException($"the archive has {_zip.EntryCount} entries, over the limit of {_options.MaxEntries}");
        }

        // One pass over the central directory: names, declared sizes and ratios; entries other than samples
        // (few) are looked into at once so a nested archive is refused up front (samples are checked as read).
        // Only non-sample names are remembered (to refuse duplicates such as two header.json): memory stays
        // independent of the number of samples.
        var otherNames = new HashSet<string>(StringComparer.Ordinal);
        long declaredTotal = 0;
        ZipEntryInfo? header = null;
        var samples = 0;
        var first = new byte[4];
        foreach (var entry in _zip.Entries())
        {
            var name = entry.Name;
            var problem = UnsafeNameProblem(name);
            if (problem is not null)
            {
                throw new InspectLogFormatException($"zip entry name {Quote(name)} is refused: {problem}");
            }

            if (entry.UncompressedSize > _options.MaxEntryBytes)
            {
                throw new InspectLogFormatException($"zip entry '{name}' declares {entry.UncompressedSize} bytes, over the limit of {_options.MaxEntryBytes}");
            }

            declaredTotal += entry.UncompressedSize;
            if (declaredTotal > _options.MaxUncompressedBytes)
            {
                throw new InspectLogFormatException($"the archive declares more than {_options.MaxUncompressedBytes} uncompressed bytes");
            }

            if (entry.UncompressedSize >= _options.RatioCheckMinBytes
                && entry.UncompressedSize > _options.MaxCompressionRatio * Math.Max(entry.CompressedSize, 1))
            {
                throw new InspectLogFormatException(
                    $"zip entry '{name}' has a compression ratio above {_options.MaxCompressionRatio} (a zip bomb?)");
            }

            if (IsSampleEntry(name))
            {
                samples++;
                _declaredSampleBytes += entry.UncompressedSize;
                continue;
            }

            if (!otherNames.Add(name))
            {
                throw new InspectLogFormatException($"zip entry '{name}' appears twice");
            }

            if (name == HeaderEntry)
            {
                header = entry;
            }
            else if (entry.UncompressedSize > 0 && !name.EndsWith('/'))
            {
                using var s = OpenEntry(entry);
                s.ReadAtLeast(first, 4, throwOnEndOfStream: false);
            }
        }

        if (header is not { } headerEntry)
        {
            throw new InspectLogFormatException("the archive has no header.json; not an Inspect .eval log");
        }

        using (var s = new NamedFloatLiteralStream(OpenEntry(headerEntry)))
        {
            var cursor = NewCursor(s);
            Header = ReadLogObject(cursor, HeaderEntry);
            if (cursor.Read())
            {
                throw new InspectLogFormatException("unexpected content after the object in header.json");
            }
        }

        SampleEntryCount = samples;
    }

    /// <summary>Reads the top-level log object; samples (if any) are skipped, streaming.</summary>
    private InspectLogHeader ReadLogObject(JsonCursor cursor, string where)
    {
        cursor.Expect(JsonTokenType.StartObject, where);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        JsonElement? eval = null, results = null, status = null, version = null, error = null;
        while (true)
        {
            if (!cursor.Read())
            {
                throw new InspectLogFormatException($"{where}: unexpected end of JSON");
            }

            if (cursor.TokenType == JsonTokenType.EndObject)
            {
                break;
            }

            var name = cursor.PropertyName!;
            if (!seen.Add(name))
            {
                throw new InspectLogFormatException($"{where}: key '{name}' appears twice");
            }

            switch (name)
            {
                case "eval":
                    eval = cursor.ReadValue(_options.MaxHeaderValueBytes, "eval");
                    break;
                case "results":
                    results = cursor.ReadValue(_options.MaxHeaderValueBytes, "results");
                    break;
                case "status":
                    status = cursor.ReadValue(SmallValue, "status");
                    break;
                case "version":
                    version = cursor.ReadValue(SmallValue, "version");
                    break;
                case "error":
                    error = cursor.ReadValue(_options.MaxHeaderValueBytes, "error");
                    break;
                default:
                    cursor.SkipValue();
                    break;
            }
        }

        if (eval is not { ValueKind: JsonValueKind.Object } e)
        {
            throw new InspectLogFormatException($"{where} has no 'eval' object; not an Inspect log");
        }

        return HeaderFacts.Build(e, results, status, version, error);
    }

    // ---------------------------------------------------------------- samples

    private IEnumerable<InspectSample> JsonSamples()
    {
        _stream.Position = 0;
        using var filtered = new NamedFloatLiteralStream(_stream, leaveOpen: true);
        var cursor = NewCursor(filtered);
        cursor.Expect(JsonTokenType.StartObject, "the log");
        while (cursor.Read() && cursor.TokenType == JsonTokenType.PropertyName)
        {
            if (cursor.PropertyName != "samples")
            {
                cursor.SkipValue();
                continue;
            }

            if (!cursor.Read() || cursor.TokenType == JsonTokenType.Null)
            {
                yield break;
            }

            if (cursor.TokenType != JsonTokenType.StartArray)
            {
                throw new InspectLogFormatException($"'samples' is {JsonCursor.Describe(cursor.TokenType)}, not an array");
            }

            var index = 0;
            while (true)
            {
                if (!cursor.Read())
                {
                    throw new InspectLogFormatException("unexpected end of JSON in 'samples'");
                }

                if (cursor.TokenType == JsonTokenType.EndArray)
                {
                    yield break;
                }

                if (cursor.TokenType != JsonTokenType.StartObject)
                {
                    throw new InspectLogFormatException($"samples[{index}] is {JsonCursor.Describe(cursor.TokenType)}, not an object");
                }

                yield return ReadSample(cursor, $"samples[{index}]");
                index++;
            }
        }
    }

    private IEnumerable<InspectSample> EvalSamples()
    {
        // Each entry is read exactly as on one thread (its errors are its own); the one thing entries share
        // is the archive-wide budget of inflated bytes. No entry yields more than it declares, so when the
        // declared sizes fit what is left of the budget, the budget cannot run out and the order in which
        // entries are read cannot change the outcome: then two threads read them.
        return Environment.ProcessorCount > 1
            && SampleEntryCount >= ParallelMinEntries
            && _budget.Total + _declaredSampleBytes <= _options.MaxUncompressedBytes
                ? EvalSamplesOnTwoThreads()
                : EvalSamplesInOrder();
    }

    private IEnumerable<InspectSample> EvalSamplesInOrder()
    {
        var parser = new EntryParser(this);
        foreach (var entry in _zip!.Entries())
        {
            if (IsSampleEntry(entry.Name))
            {
                yield return parser.Parse(entry);
            }
        }
    }

    /// <summary>
    /// Batches of sample entries alternate between this thread and a helper thread; samples come out in log
    /// order, and the first failure in log order is the one raised (with the samples before it yielded).
    /// </summary>
    private IEnumerable<InspectSample> EvalSamplesOnTwoThreads()
    {
        var parser = new EntryParser(this);
        using var helper = new HelperParser(new EntryParser(this));
        using var batches = _zip!.Entries().Where(entry => IsSampleEntry(entry.Name)).Chunk(BatchEntries).GetEnumerator();
        while (batches.MoveNext())
        {
            var mine = batches.Current;
            var handedOff = batches.MoveNext();
            if (handedOff)
            {
                helper.Post(batches.Current);
            }

            foreach (var entry in mine)
            {
                yield return parser.Parse(entry);
            }

            if (handedOff)
            {
                var (samples, failure) = helper.Take();
                foreach (var sample in samples)
                {
                    yield return sample;
                }

                failure?.Throw();
            }
        }
    }

    /// <summary>Reads whole sample entries: its own JSON filter, cursor and read-ahead window (one per thread).</summary>
    private sealed class EntryParser(InspectLogReader reader)
    {
        private readonly NamedFloatLiteralStream _filter = new(Stream.Null, leaveOpen: true);
        private readonly ZipWindow _window = new();
        private JsonCursor? _cursor;

        public InspectSample Parse(ZipEntryInfo entry)
        {
            using var s = reader.OpenEntry(entry, _window);
            _filter.Reset(s);
            var cursor = _cursor ??= reader.NewCursor(_filter);
            cursor.Reset(_filter);
            cursor.Expect(JsonTokenType.StartObject, entry.Name);
            var sample = reader.ReadSample(cursor, entry.Name);
            if (cursor.Read())
            {
                throw new InspectLogFormatException($"unexpected content after the sample object in {entry.Name}");
            }

            return sample;
        }
    }

    /// <summary>
    /// A helper thread that parses the batches posted to it, in order, and hands back each batch's samples
    /// with the failure that stopped it (if any). Disposing stops it after the entry it is reading.
    /// </summary>
    private sealed class HelperParser : IDisposable
    {
        private readonly EntryParser _parser;
        private readonly object _gate = new();
        private readonly Queue<ZipEntryInfo[]> _work = new();
        private readonly Queue<(List<InspectSample> Samples, ExceptionDispatchInfo? Failure)> _done = new();
        private Thread? _thread;
        private volatile bool _stopping;

        public HelperParser(EntryParser parser) => _parser = parser;

        public void Post(ZipEntryInfo[] batch)
        {
            lock (_gate)
            {
                _work.Enqueue(batch);
                Monitor.PulseAll(_gate);
            }

            if (_thread is null)
            {
                _thread = new Thread(Run) { IsBackground = true, Name = "inspect-log-reader" };
                _thread.Start();
            }
        }

        public (List<InspectSample> Samples, ExceptionDispatchInfo? Failure) Take()
        {
            lock (_gate)
            {
                while (_done.Count == 0)
                {
                    Monitor.Wait(_gate);
                }

                return _done.Dequeue();
            }
        }

        private void Run()
        {
            while (true)
            {
                ZipEntryInfo[] batch;
                lock (_gate)
                {
                    while (_work.Count == 0 && !_stopping)
                    {
                        Monitor.Wait(_gate);
                    }

                    if (_stopping)
                    {
                        return;
                    }

                    batch = _work.Dequeue();
                }

                List<InspectSample> samples = [];
                ExceptionDispatchInfo? failure = null;
                try
                {
                    foreach (var entry in batch)
                    {
                        if (_stopping)
                        {
                            return;
                        }

                        samples.Add(_parser.Parse(entry));
                    }
                }
                catch (Exception e)
                {
                    // Everything is handed back: an exception escaping this thread would end the process.
                    failure = ExceptionDispatchInfo.Capture(e);
                }

                lock (_gate)
                {
                    _done.Enqueue((samples, failure));
                    Monitor.PulseAll(_gate);
                }
            }
        }

        public void Dispose()
        {
            lock (_gate)
            {
                _stopping = true;
                Monitor.PulseAll(_gate);
            }

            _thread?.Join();
        }
    }

    /// <summary>Reads one sample object (its start already read): the fields verification needs; the rest is skipped.</summary>
    private InspectSample ReadSample(JsonCursor cursor, string where)
    {
        var seen = SampleField.None;
        JsonField id = default, epoch = default, input = default, target = default, output = default, scores = default, error = default, choices = default;
        while (true)
        {
            if (!cursor.Read())
            {
                throw new InspectLogFormatException($"{where}: unexpected end of JSON");
            }

            if (cursor.TokenType == JsonTokenType.EndObject)
            {
                break;
            }

            var name = cursor.PropertyName!;
            var field = name switch
            {
                "id" => SampleField.Id,
                "epoch" => SampleField.Epoch,
                "input" => SampleField.Input,
                "target" => SampleField.Target,
                "output" => SampleField.Output,
                "scores" => SampleField.Scores,
                "error" => SampleField.Error,
                "choices" => SampleField.Choices,
                _ => SampleField.None,
            };
            if (field == SampleField.None)
            {
                cursor.SkipValue();
                continue;
            }

            if ((seen & field) != 0)
            {
                throw new InspectLogFormatException($"{where}: key '{name}' appears twice");
            }

            seen |= field;
            // A null comes back as a field that is not present: null is as good as absent (e.g. "error": null).
            var value = cursor.ReadField(field is SampleField.Id or SampleField.Epoch ? SmallValue : _options.MaxSampleValueBytes, where, name);
            switch (field)
            {
                case SampleField.Id: id = value; break;
                case SampleField.Epoch: epoch = value; break;
                case SampleField.Input: input = value; break;
                case SampleField.Target: target = value; break;
                case SampleField.Output: output = value; break;
                case SampleField.Scores: scores = value; break;
                case SampleField.Choices: choices = value; break;
                default: error = value; break;
            }
        }

        return SampleFacts.Build(where, id, epoch, input, target, output, scores, error, _options.MaxTextChars) with
        {
            // The arena pairs two models' answers only when both saw the same input and choices.
            Choices = choices.Type == JsonTokenType.StartArray ? SampleFacts.Texts(choices.Element, _options.MaxTextChars) : [],
        };
    }

    [Flags]
    private enum SampleField
    {
        None = 0,
        Id = 1,
        Epoch = 2,
        Input = 4,
        Target = 8,
        Output = 16,
        Scores = 32,
        Error = 64,
        Choices = 128,
    }

    // ---------------------------------------------------------------- helpers

    private JsonCursor NewCursor(Stream stream) =>
        new(stream, Math.Max(_options.MaxHeaderValueBytes, _options.MaxSampleValueBytes), _options.MaxJsonDepth);

    private BoundedEntryStream OpenEntry(ZipEntryInfo entry) =>
        new(_zip!.Open(entry), entry.Name, entry.UncompressedSize, entry.CompressedSize, _options, _budget);

    private BoundedEntryStream OpenEntry(ZipEntryInfo entry, ZipWindow window) =>
        new(_zip!.Open(entry, window), entry.Name, entry.UncompressedSize, entry.CompressedSize, _options, _budget);

    internal static bool IsSampleEntry(string name) =>
        name.StartsWith("samples/", StringComparison.Ordinal)
        && name.EndsWith(".json", StringComparison.Ordinal)
        && name.IndexOf('/', "samples/".Length) < 0;

    /// <summary>Why an entry name is refused (it is never used as a path, but such names mark a hostile archive).</summary>
    internal static string? UnsafeNameProblem(string name)
    {
        if (name.Length == 0)
        {
            return "empty name";
        }

        if (name.Length > 1024)
        {
            return "name too long";
        }

        foreach (var c in name)
        {
            if (c < 0x20 || c == 0x7f)
            {
                return "control character in name";
            }
        }

        if (name.Contains('\\'))
        {
            return "backslash in name";
        }

        if (name[0] == '/' || (name.Length > 1 && name[1] == ':'))
        {
            return "absolute path";
        }

        var rest = name.AsSpan();
        while (true)
        {
            var slash = rest.IndexOf('/');
            var segment = slash < 0 ? rest : rest[..slash];
            if (segment is ".." or ".")
            {
                return "'..' or '.' path segment";
            }

            if (slash < 0)
            {
                return null;
            }

            rest = rest[(slash + 1)..];
        }
    }

    private static string Quote(string name) => JsonSerializer.Serialize(name);

    private static Stream Spool(Stream source, EvidenceOptions options)
    {
        var path = Path.Combine(Path.GetTempPath(), "inspect-log-" + Guid.NewGuid().ToString("N") + ".tmp");
        var fso = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            Options = FileOptions.DeleteOnClose,
        };
        if (!OperatingSystem.IsWindows())
        {
            fso.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var file = new FileStream(path, fso);
        try
        {
            var buffer = new byte[81920];
            long total = 0;
            int read;
            while ((read = source.Read(buffer, 0, buffer.Length)) > 0)
            {
                total += read;
                if (total > options.MaxLogBytes)
                {
                    throw new InspectLogFormatException($"the log is over the limit of {options.MaxLogBytes} bytes");
                }

                file.Write(buffer, 0, read);
            }

            file.Position = 0;
            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static void Translate(Action action)
    {
        try
        {
            action();
        }
        catch (Exception e) when (ToFormatException(e) is { } translated && !ReferenceEquals(translated, e))
        {
            throw translated;
        }
    }

    /// <summary>Maps what reading bad input can raise to one readable <see cref="InspectLogFormatException"/>.</summary>
    private static Exception? ToFormatException(Exception e) => e switch
    {
        InspectLogFormatException => e,
        OperationCanceledException or OutOfMemoryException => null,
        JsonException j => new InspectLogFormatException($"malformed JSON: {j.Message}", j),
        InvalidDataException z => new InspectLogFormatException($"corrupt zip data: {z.Message}", z),
        _ => new InspectLogFormatException($"unreadable log: {e.Message}", e),
    };
}
