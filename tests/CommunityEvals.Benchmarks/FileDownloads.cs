using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CommunityEvals.TestStack;
using Npgsql;

namespace CommunityEvals.Benchmarks;

/// <summary>
/// Issue 18's benchmark: a data file of <c>--megabytes</c> MiB of random bytes, uploaded to a dataset
/// repo as Hub clients do (LFS batch, PUT to the href, commit naming it with <c>lfsFile</c>), then
/// downloaded by <c>--clients</c> concurrent clients looping
/// <c>GET /datasets/{org}/{name}/resolve/main/data/test.bin</c> through the gateway; beside, in the
/// same run, as many readers in this process reading the same bytes straight from PostgreSQL with
/// Npgsql (all the blob's 1 MiB rows of <c>ingestion.blob_chunks</c>, one query). Throughput in MB/s
/// (10^6 bytes), downloads per second, latency per download, and how far the gateway's and the
/// ingestion service's peak resident memory grow while the gateway is downloaded from. No target is
/// set: both figures are printed side by side.
/// </summary>
public static class FileDownloads
{
    public static readonly Options Defaults = new(16, TimeSpan.FromSeconds(15));

    /// <summary>The options this command takes; <c>--megabytes</c> is read by <see cref="Parse"/>, the rest by <see cref="Options.Parse(string[], Options, string[])"/>.</summary>
    public static readonly string[] Allowed = ["--clients", "--megabytes", "--seconds", "--env"];

    public const int DefaultMebibytes = 10;

    private const string FilePath = "data/test.bin";
    private const string ChunkQuery = "select data from ingestion.blob_chunks where sha256 = $1 order by chunk";
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);

    /// <summary>The options, with <c>--megabytes</c> (the file's size in MiB) taken out before the common ones are parsed.</summary>
    public static (Options Options, int Mebibytes) Parse(string[] args)
    {
        var mebibytes = DefaultMebibytes;
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--megabytes")
            {
                if (i + 1 >= args.Length)
                {
                    throw new ArgumentException("option --megabytes has no value");
                }

                mebibytes = int.Parse(args[++i], CultureInfo.InvariantCulture);
                if (mebibytes <= 0)
                {
                    throw new ArgumentException("--megabytes must be positive");
                }
            }
            else
            {
                rest.Add(args[i]);
            }
        }

        return (Options.Parse([.. rest], Defaults, Allowed), mebibytes);
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var (options, mebibytes) = Parse(args);
        var size = mebibytes * 1_048_576L;

        Console.WriteLine("starting the stack (the AppHost on Aspire's testing host: private PostgreSQL, RabbitMQ, the services) ...");
        await using var stack = await Stack.StartAsync(new StackOptions { ServiceEnvironment = StackOptions.WithoutCallerLimits(options.Environment) });
        var gateway = stack.Gateway;
        var (org, token) = await Hub.CreateOrgOwnerAsync(gateway, stack.AdminToken);
        using var owner = Hub.Client(gateway, token, timeout: TimeSpan.FromMinutes(2));
        var dataset = $"{org}/files";
        await Hub.CreateRepoAsync(owner, org, "dataset", "files");

        var bytes = new byte[size];
        new Random(18).NextBytes(bytes);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
        Console.WriteLine($"uploading {FilePath} to {dataset}: {size:N0} bytes of random data, sha256 {sha256} ...");
        var setup = Stopwatch.StartNew();
        await UploadAsync(owner, dataset, sha256, bytes);
        await CommitAsync(owner, dataset, sha256, size);
        Console.WriteLine($"  uploaded and committed in {setup.Elapsed.TotalSeconds:F1} s");
        bytes = [];

        var path = $"/datasets/{dataset}/resolve/main/{FilePath}";
        using var client = Hub.Client(gateway, maxConnections: options.Clients, timeout: TimeSpan.FromMinutes(2));
        var downloaded = await Sha256OfDownloadAsync(client, path);
        if (downloaded != sha256)
        {
            throw new InvalidOperationException($"GET {path} gave bytes whose sha256 is {downloaded}, not the uploaded {sha256}");
        }

        await using var dataSource = NpgsqlDataSource.Create(stack.DatabaseConnectionString);
        var (rows, stored) = await Sha256OfRowsAsync(dataSource, sha256);
        if (stored != sha256)
        {
            throw new InvalidOperationException($"the {rows} rows of ingestion.blob_chunks for {sha256} hold bytes whose sha256 is {stored}");
        }

        Console.WriteLine($"  the first download's sha256 and the stored rows' ({rows} chunks) equal the uploaded one");

        var busy = await StackServices.WaitQuietAsync(stack, TimeSpan.FromSeconds(60));
        Console.WriteLine($"  services settled ({busy:F2} cores busy)");
        Console.WriteLine($"downloading with {options.Clients} clients: both routes warmed {WarmUp.TotalSeconds:0} s first, then {options.Duration.TotalSeconds:0} s each ...");

        // Both routes are exercised before either is measured: whichever ran first would otherwise pay
        // for compiling the read paths (the services' and Npgsql's in this process) to their final code.
        await DownloadAsync(client, path, size, options.Clients, WarmUp);
        await ReadRowsAsync(dataSource, sha256, size, options.Clients, WarmUp);
        await StackServices.WaitQuietAsync(stack, TimeSpan.FromSeconds(30));

        var memory = new[] { Stack.GatewayName, "ingestion" }.Select(name => PeakMemory.Reset(name, stack.Pid(name))).ToList();
        var gatewayCpu = CpuMeter.For(stack).Start();
        var viaGateway = await DownloadAsync(client, path, size, options.Clients, options.Duration);
        var gatewayCpuReport = gatewayCpu.Stop();
        var peaks = memory.Select(peak => peak.Read()).ToList();

        await StackServices.WaitQuietAsync(stack, TimeSpan.FromSeconds(30));
        var rawCpu = CpuMeter.For(stack).Start();
        var raw = await ReadRowsAsync(dataSource, sha256, size, options.Clients, options.Duration);
        var rawCpuReport = rawCpu.Stop();

        var ratio = viaGateway.MegabytesPerSecond / raw.MegabytesPerSecond;
        Console.WriteLine();
        Console.WriteLine($"== files: eng/bench.sh files --clients {options.Clients} --megabytes {mebibytes} --seconds {options.Duration.TotalSeconds:0}{options.EnvironmentText}");
        Console.WriteLine($"file:                      GET {path}, {size:N0} bytes ({mebibytes} MiB of random bytes, {rows} rows of ingestion.blob_chunks), anonymous, no compression");
        Console.WriteLine($"through the gateway:       {viaGateway}");
        Console.WriteLine($"straight from PostgreSQL:  {raw}");
        Console.WriteLine($"                           (Npgsql in this process, {options.Clients} readers, one query a file: {ChunkQuery})");
        Console.WriteLine(Invariant($"gateway / PostgreSQL:      {ratio:P0}"));
        Console.WriteLine("MB = 10^6 bytes; latency is per whole download (request to last byte read)");
        foreach (var peak in peaks)
        {
            Console.WriteLine(peak);
        }

        Console.WriteLine(Invariant($"target: none set (issue 18 asks for the figures): {viaGateway.MegabytesPerSecond:F0} MB/s through the gateway beside {raw.MegabytesPerSecond:F0} MB/s straight from PostgreSQL ({ratio:P0})"));
        Console.WriteLine("CPU while downloading through the gateway:");
        Console.WriteLine(gatewayCpuReport.Describe(viaGateway.Downloads));
        Console.WriteLine("CPU while reading straight from PostgreSQL:");
        Console.WriteLine(rawCpuReport.Describe(raw.Downloads));
        return viaGateway.Failures == 0 && raw.Failures == 0 ? 0 : 1;
    }

    /// <summary>Sends the bytes as Hub clients do: the LFS batch (with the token), then a PUT to the href it gives (without).</summary>
    private static async Task UploadAsync(HttpClient owner, string dataset, string sha256, byte[] bytes)
    {
        var batch = JsonSerializer.Serialize(new
        {
            operation = "upload",
            transfers = new[] { "basic" },
            hash_algo = "sha_256",
            @ref = new { name = "main" },
            objects = new[] { new { oid = sha256, size = bytes.LongLength } },
        });
        using var content = new StringContent(batch, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.git-lfs+json");
        using var answer = await owner.PostAsync($"/datasets/{dataset}.git/info/lfs/objects/batch", content);
        await Hub.EnsureAsync(answer);
        var item = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("objects")[0];
        if (item.TryGetProperty("error", out var error))
        {
            throw new InvalidOperationException($"the LFS batch refused the file: {error}");
        }

        if (!item.TryGetProperty("actions", out var actions))
        {
            return; // already stored
        }

        using var anonymous = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        using var body = new ByteArrayContent(bytes);
        await Hub.EnsureAsync(anonymous.PutAsync(actions.GetProperty("upload").GetProperty("href").GetString(), body));
    }

    /// <summary>Commits the uploaded blob to main as <see cref="FilePath"/> (NDJSON: the header, one <c>lfsFile</c>).</summary>
    private static async Task CommitAsync(HttpClient owner, string dataset, string sha256, long size)
    {
        var lines = new[]
        {
            JsonSerializer.Serialize(new { key = "header", value = new { summary = "data" } }),
            JsonSerializer.Serialize(new { key = "lfsFile", value = new { path = FilePath, algo = "sha256", oid = sha256, size } }),
        };
        using var content = new StringContent(string.Join('\n', lines), Encoding.UTF8, "application/x-ndjson");
        await Hub.EnsureAsync(owner.PostAsync($"/api/datasets/{dataset}/commit/main", content));
    }

    private static async Task<string> Sha256OfDownloadAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        await Hub.EnsureAsync(response);
        await using var body = await response.Content.ReadAsStreamAsync();
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(body));
    }

    private static async Task<(int Rows, string Sha256)> Sha256OfRowsAsync(NpgsqlDataSource dataSource, string sha256)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var command = dataSource.CreateCommand(ChunkQuery);
        command.Parameters.Add(new NpgsqlParameter { Value = sha256 });
        await using var reader = await command.ExecuteReaderAsync();
        var rows = 0;
        while (await reader.ReadAsync())
        {
            hash.AppendData(reader.GetFieldValue<byte[]>(0));
            rows++;
        }

        return (rows, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    /// <summary><paramref name="clients"/> clients each looping a download of the whole file for <paramref name="duration"/>; a download short of <paramref name="size"/> bytes fails.</summary>
    private static async Task<Throughput> DownloadAsync(HttpClient client, string path, long size, int clients, TimeSpan duration)
    {
        var buffers = Enumerable.Range(0, clients).Select(_ => new byte[64 * 1024]).ToArray();
        long total = 0;
        var clock = Stopwatch.StartNew();
        var summary = await Latencies.MeasureAsync(clients, duration, async (worker, _) =>
        {
            try
            {
                using var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
                await using var body = await response.Content.ReadAsStreamAsync();
                long read = 0;
                int count;
                while ((count = await body.ReadAsync(buffers[worker])) > 0)
                {
                    read += count;
                }

                Interlocked.Add(ref total, read);
                return response.IsSuccessStatusCode && read == size;
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or IOException)
            {
                return false;
            }
        });
        return new Throughput(summary, total, clock.Elapsed);
    }

    /// <summary><paramref name="clients"/> readers each looping one query for all the blob's rows, reading every row's bytes.</summary>
    private static async Task<Throughput> ReadRowsAsync(NpgsqlDataSource dataSource, string sha256, long size, int clients, TimeSpan duration)
    {
        var buffers = Enumerable.Range(0, clients).Select(_ => new byte[64 * 1024]).ToArray();
        long total = 0;
        var clock = Stopwatch.StartNew();
        var summary = await Latencies.MeasureAsync(clients, duration, async (worker, _) =>
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync();
                await using var command = new NpgsqlCommand(ChunkQuery, connection);
                command.Parameters.Add(new NpgsqlParameter { Value = sha256 });
                await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess);
                long read = 0;
                while (await reader.ReadAsync())
                {
                    await using var data = await reader.GetStreamAsync(0);
                    int count;
                    while ((count = await data.ReadAsync(buffers[worker])) > 0)
                    {
                        read += count;
                    }
                }

                Interlocked.Add(ref total, read);
                return read == size;
            }
            catch (Exception exception) when (exception is NpgsqlException or IOException or InvalidOperationException)
            {
                return false;
            }
        });
        return new Throughput(summary, total, clock.Elapsed);
    }

    private sealed record Throughput(Latencies.Summary Summary, long Bytes, TimeSpan Elapsed)
    {
        public int Downloads => Summary.Operations;

        public int Failures => Summary.Failures;

        public double MegabytesPerSecond => Bytes / 1e6 / Elapsed.TotalSeconds;

        public override string ToString() => Invariant(
            $"{MegabytesPerSecond,7:F1} MB/s, {Summary.PerSecond:F1} downloads/s ({Downloads} in {Elapsed.TotalSeconds:F1} s), p50 {Summary.P50Ms:F0} ms, p99 {Summary.P99Ms:F0} ms, {Failures} failed");
    }

    /// <summary>
    /// A process's peak resident memory over a window: the peak (VmHWM) is reset to the current
    /// resident size by writing 5 to /proc/pid/clear_refs, as <see cref="VerifyLogs"/> does.
    /// </summary>
    private sealed class PeakMemory
    {
        private readonly string _name;
        private readonly int? _pid;
        private readonly long _before;
        private readonly string? _problem;

        private PeakMemory(string name, int? pid, long before, string? problem) => (_name, _pid, _before, _problem) = (name, pid, before, problem);

        public static PeakMemory Reset(string name, int? pid)
        {
            if (pid is not { } id)
            {
                return new PeakMemory(name, null, 0, "its process was not found");
            }

            try
            {
                File.WriteAllText($"/proc/{id}/clear_refs", "5");
                return new PeakMemory(name, id, Kibibytes(id, "VmRSS"), null);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                return new PeakMemory(name, id, 0, $"its peak could not be reset ({exception.Message})");
            }
        }

        /// <summary>A line saying how far the peak grew over the resident size at the reset.</summary>
        public string Read()
        {
            var label = $"peak RSS of {_name}:";
            if (_problem is not null || _pid is not { } pid)
            {
                return $"{label,-27}not measured: {_problem}";
            }

            try
            {
                var peak = Kibibytes(pid, "VmHWM");
                return Invariant($"{label,-27}{peak / 1024.0:F0} MiB while downloading through the gateway, growth {(peak - _before) / 1024.0:F0} MiB over its {_before / 1024.0:F0} MiB before");
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                return $"{label,-27}not measured: {exception.Message}";
            }
        }

        private static long Kibibytes(int pid, string field) =>
            File.ReadLines($"/proc/{pid}/status").Where(line => line.StartsWith(field + ":", StringComparison.Ordinal))
                .Select(line => long.Parse(line.Split(':')[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture)).Single();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
