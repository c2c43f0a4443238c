using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace CommunityEvals.TestStack.Faults;

/// <summary>How the stack answered one request (or that nothing answered).</summary>
/// <param name="Status">The HTTP status; null when no answer came (the connection was refused or broke, or the client gave up).</param>
/// <param name="Error">Why there was no answer: the exception's type and message.</param>
/// <param name="RetryAfter">The answer had a <c>Retry-After</c> header.</param>
/// <param name="ProblemDocument">The answer's body was a problem document with its own status.</param>
public sealed record Answer(int? Status, string? Error, double Seconds, bool RetryAfter, bool ProblemDocument)
{
    /// <summary>"200", "503", or "no answer" for a connection that was refused or broke.</summary>
    public string Kind => Status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no answer";

    /// <summary>A 503 as API.md promises it: <c>Retry-After</c> and a problem document.</summary>
    public bool IsProperUnavailable => Status == 503 && RetryAfter && ProblemDocument;

    public static async Task<(Answer Answer, string Body)> OfAsync(HttpResponseMessage response, long startedAt)
    {
        var body = await response.Content.ReadAsStringAsync();
        var status = (int)response.StatusCode;
        var problem = false;
        if (status >= 400)
        {
            try
            {
                using var document = JsonDocument.Parse(body);
                problem = document.RootElement.TryGetProperty("status", out var inBody) && inBody.ValueKind == JsonValueKind.Number
                    && inBody.GetInt32() == status && document.RootElement.TryGetProperty("title", out _);
            }
            catch (JsonException)
            {
            }
        }

        return (new Answer(status, null, Stopwatch.GetElapsedTime(startedAt).TotalSeconds, response.Headers.RetryAfter is not null, problem), body);
    }

    public static Answer Failed(Exception exception, long startedAt) =>
        new(null, $"{exception.GetType().Name}: {exception.GetBaseException().Message}", Stopwatch.GetElapsedTime(startedAt).TotalSeconds, false, false);
}

/// <summary>One commit of the load: a new value for the client's model, and how it was answered.</summary>
public sealed record CommitAttempt(string Phase, string Model, double Value, Answer Answer, string? CommitOid);

/// <summary>One board read of the load.</summary>
public sealed record ReadAttempt(string Phase, Answer Answer);

/// <summary>
/// Commits through the gateway, as the Hub clients send them: each client commits a new value of its
/// own model's result (0.01, 0.02, ... so that every commit of a model is told apart by its value) as
/// soon as the previous one was answered, after a short pause; a reader fetches the board meanwhile.
/// Nothing is retried: every attempt is recorded under the phase it was sent in.
/// </summary>
public sealed class CommitLoad
{
    /// <summary>How long a client waits for an answer: longer than the 10 s a caller may be kept waiting, so that a hang shows as one.</summary>
    public static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(15);

    private readonly Uri _gateway;
    private readonly string _token;
    private readonly string _datasetId;
    private readonly IReadOnlyList<string> _models;
    private readonly TimeSpan _pause;
    private readonly int[] _counters;
    private readonly List<CommitAttempt> _commits = [];
    private readonly List<ReadAttempt> _reads = [];
    private CancellationTokenSource? _stop;
    private List<Task>? _running;
    private volatile string _phase = "";

    public CommitLoad(Uri gateway, string token, string datasetId, IReadOnlyList<string> models, TimeSpan pause)
    {
        _gateway = gateway;
        _token = token;
        _datasetId = datasetId;
        _models = models;
        _pause = pause;
        _counters = new int[models.Count];
    }

    public IReadOnlyList<CommitAttempt> Commits
    {
        get
        {
            lock (_commits)
            {
                return _commits.ToList();
            }
        }
    }

    public IReadOnlyList<ReadAttempt> Reads
    {
        get
        {
            lock (_reads)
            {
                return _reads.ToList();
            }
        }
    }

    /// <summary>Starts the clients and the reader; what they send from now on is recorded under <paramref name="phase"/>.</summary>
    public void Start(string phase)
    {
        _phase = phase;
        _stop = new CancellationTokenSource();
        _running = [.. Enumerable.Range(0, _models.Count).Select(i => Task.Run(() => CommitLoopAsync(i, _stop.Token))), Task.Run(() => ReadLoopAsync(_stop.Token))];
    }

    /// <summary>Stops sending and waits for the answers still due.</summary>
    public async Task StopAsync()
    {
        await _stop!.CancelAsync();
        await Task.WhenAll(_running!);
        _stop.Dispose();
    }

    /// <summary>One commit of <paramref name="client"/>'s model, outside the load (setting up): its value is the model's next.</summary>
    public async Task<CommitAttempt> CommitOnceAsync(int client, string phase)
    {
        using var http = Hub.Client(_gateway, _token, timeout: ClientTimeout);
        var attempt = await CommitAsync(http, client, phase);
        lock (_commits)
        {
            _commits.Add(attempt);
        }

        return attempt;
    }

    private async Task CommitLoopAsync(int client, CancellationToken stop)
    {
        using var http = Hub.Client(_gateway, _token, timeout: ClientTimeout);
        while (!stop.IsCancellationRequested)
        {
            var attempt = await CommitAsync(http, client, _phase);
            lock (_commits)
            {
                _commits.Add(attempt);
            }

            await Task.Delay(_pause, stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task<CommitAttempt> CommitAsync(HttpClient http, int client, string phase)
    {
        var value = ++_counters[client] / 100.0;
        var model = _models[client];
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await Hub.CommitResultAsync(http, model, _datasetId, value);
            var (answer, body) = await Answer.OfAsync(response, started);
            string? commitOid = null;
            if (response.StatusCode == HttpStatusCode.OK)
            {
                using var document = JsonDocument.Parse(body);
                commitOid = document.RootElement.GetProperty("commitOid").GetString();
            }

            return new CommitAttempt(phase, model, value, answer, commitOid);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or IOException)
        {
            return new CommitAttempt(phase, model, value, Answer.Failed(exception, started), null);
        }
    }

    private async Task ReadLoopAsync(CancellationToken stop)
    {
        using var http = Hub.Client(_gateway, timeout: ClientTimeout);
        http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        while (!stop.IsCancellationRequested)
        {
            var phase = _phase;
            var started = Stopwatch.GetTimestamp();
            Answer answer;
            try
            {
                using var response = await http.GetAsync(Hub.NativeBoardPath(_datasetId, 1000), CancellationToken.None);
                answer = (await Answer.OfAsync(response, started)).Answer;
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or IOException)
            {
                answer = Answer.Failed(exception, started);
            }

            lock (_reads)
            {
                _reads.Add(new ReadAttempt(phase, answer));
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }
}
