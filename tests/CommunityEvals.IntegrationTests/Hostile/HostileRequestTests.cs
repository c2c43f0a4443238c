using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CommunityEvals.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace CommunityEvals.IntegrationTests.Hostile;

/// <summary>
/// Requests an attacker or a broken client sends, through the gateway: malformed commit bodies,
/// paths, headers, query strings, JSON bodies and evidence. Each is answered with its own 4xx and
/// a problem document, quickly, and appends nothing to the event log. Requests are written by
/// hand (<see cref="RawHttp"/>) so they reach the server exactly as listed here.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class HostileRequestTests(StackFixture stack, ITestOutputHelper output)
{
    private static readonly SemaphoreSlim SetupGate = new(1, 1);
    private static Target? _target;

    /// <summary>What the cases aim at: an owner's repos, one result and one open pull request.</summary>
    public sealed record Target(string Token, string Model, string Dataset, string ResultId, int PullRequest)
    {
        public byte[] ValidResults => Encoding.UTF8.GetBytes(HubCommits.ResultYaml(Dataset, "main", "50"));
    }

    /// <param name="Status">The one answer expected.</param>
    /// <param name="Large">A body of megabytes: it may take longer than a second to send.</param>
    /// <param name="Mentions">A text the problem document must hold, for cases a fix made answer properly.</param>
    private sealed record Case(int Status, Func<Uri, Target, Task<RawHttp.Answer>> Send, bool Large = false, string? Mentions = null);

    public static IEnumerable<object[]> Refused() => Cases.Keys.Select(name => new object[] { name });

    public static IEnumerable<object[]> RefusedByTheServer() => BareCases.Keys.Select(name => new object[] { name });

    public static IEnumerable<object[]> Evidence() => HostileEvidence.Keys.Select(name => new object[] { name });

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Is_answered_with_its_4xx_and_a_problem_document_and_appends_nothing(string name)
    {
        var @case = Cases[name];
        var (answer, elapsed, appended) = await SendAsync(name, @case.Send);

        Assert.True(answer.Status == @case.Status, $"expected {@case.Status}, got {answer}");
        Assert.Contains(answer.ContentType.Split(';')[0], new[] { "application/json", "application/problem+json" });
        var problem = answer.Json();
        Assert.Equal(@case.Status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("error").GetString()));
        if (@case.Mentions is { } mentioned)
        {
            Assert.Contains(mentioned, answer.Text);
        }

        Assert.Equal(0, appended);
        // One second is the bound for what fits in a few kilobytes; megabyte bodies get five to be sent.
        Assert.True(elapsed < TimeSpan.FromSeconds(@case.Large ? 5 : 1), $"took {elapsed.TotalMilliseconds:0} ms");
    }

    /// <summary>Sends one hostile request through the gateway: its answer, how long it took, and how many events it appended.</summary>
    private async Task<(RawHttp.Answer Answer, TimeSpan Elapsed, long Appended)> SendAsync(string name, Func<Uri, Target, Task<RawHttp.Answer>> send)
    {
        var target = await SetupAsync();
        var before = await EventStoreProbe.TotalAsync(stack);

        var clock = Stopwatch.StartNew();
        var answer = await send(stack.Gateway, target);
        clock.Stop();
        output.WriteLine($"{name}: {answer.Status} in {clock.ElapsedMilliseconds} ms");

        // No test runs beside this one (AssemblyInfo), so any new event would be this request's.
        return (answer, clock.Elapsed, await EventStoreProbe.TotalAsync(stack) - before);
    }

    /// <summary>
    /// Requests Kestrel refuses while reading them, before any of our code runs: it answers the
    /// status alone, without a body. They must still be 4xx, quick, and change nothing.
    /// </summary>
    [Theory]
    [MemberData(nameof(RefusedByTheServer))]
    public async Task Is_refused_by_the_server_itself_and_appends_nothing(string name)
    {
        var @case = BareCases[name];
        var (answer, elapsed, appended) = await SendAsync(name, @case.Send);

        Assert.True(answer.Status == @case.Status, $"expected {@case.Status}, got {answer}");
        Assert.Equal(0, appended);
        Assert.True(elapsed < TimeSpan.FromSeconds(1), $"took {elapsed.TotalMilliseconds:0} ms");
    }

    /// <summary>
    /// Evidence is verified after the upload is answered (API.md, Verification), so a hostile log
    /// is accepted (202) and then rejected as unreadable: the upload and its rejection are the only
    /// events, and the result stays unverified and undisputed.
    /// </summary>
    [Theory]
    [MemberData(nameof(Evidence))]
    public async Task Hostile_evidence_is_accepted_then_rejected_as_unreadable_and_changes_nothing_else(string name)
    {
        var target = await SetupAsync();
        var log = HostileEvidence[name]();
        var before = await EventStoreProbe.TotalAsync(stack);

        var clock = Stopwatch.StartNew();
        var answer = await Post(stack.Gateway, $"/api/results/{target.ResultId}/evidence", target.Token, log, "application/octet-stream");
        clock.Stop();
        output.WriteLine($"{name}: {answer.Status} in {clock.ElapsedMilliseconds} ms");

        Assert.True(answer.Status == (int)HttpStatusCode.Accepted, answer.ToString());
        var evidenceId = answer.Json().GetProperty("evidenceId").GetString();
        var evidence = await Eventually.ValueAsync(async () =>
        {
            var verification = await stack.Anonymous.GetFromJsonAsync<JsonElement>($"/api/results/{target.ResultId}/verification");
            var settled = verification.GetProperty("evidence").EnumerateArray()
                .SingleOrDefault(e => e.GetProperty("evidenceId").GetString() == evidenceId);
            return settled.ValueKind == JsonValueKind.Object && settled.GetProperty("status").GetString() != "pending" ? settled : (JsonElement?)null;
        }, $"the verdict on {name}", TimeSpan.FromSeconds(30));

        Assert.Equal("rejected", evidence.GetProperty("status").GetString());
        var readable = evidence.GetProperty("checks").EnumerateArray().Single(check => check.GetProperty("name").GetString() == "readable");
        Assert.False(readable.GetProperty("ok").GetBoolean());
        output.WriteLine($"  readable: {readable.GetProperty("detail").GetString()}");
        Assert.Equal(before + 2, await EventStoreProbe.TotalAsync(stack));
        var results = await stack.Anonymous.GetFromJsonAsync<JsonElement>($"/api/models/{target.Model}/eval-results");
        var result = results.EnumerateArray().Single(r => r.GetProperty("id").GetString() == target.ResultId);
        Assert.False(result.GetProperty("verified").GetBoolean());
        Assert.False(result.GetProperty("disputed").GetBoolean());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"the upload took {clock.ElapsedMilliseconds} ms");
    }

    private static readonly Dictionary<string, Case> Cases = new()
    {
        // NDJSON commit bodies (API.md, Commits): 400 "Malformed commit" unless the body is
        // well-formed and what it carries breaks a rule (422).
        ["ndjson-line-not-json"] = new(400, Commit(_ => Lines(Header, "this is not json"))),
        ["ndjson-line-truncated"] = new(400, Commit(_ => Lines(Header, """{"key":"file","value":{"path":".eval_results/a.yaml","""))),
        ["ndjson-line-array"] = new(400, Commit(_ => Lines(Header, "[1, 2, 3]"))),
        ["ndjson-line-number"] = new(400, Commit(_ => Lines(Header, "42"))),
        ["ndjson-unknown-key"] = new(400, Commit(t => Lines(Header, FileLine(".eval_results/a.yaml", t.ValidResults).Replace("\"file\"", "\"files\"")))),
        ["ndjson-key-not-a-string"] = new(400, Commit(_ => Lines(Header, """{"key":1,"value":{}}"""))),
        ["ndjson-value-not-an-object"] = new(400, Commit(_ => Lines(Header, """{"key":"file","value":"x"}"""))),
        ["ndjson-value-missing"] = new(400, Commit(_ => Lines(Header, """{"key":"file"}"""))),
        ["ndjson-path-missing"] = new(400, Commit(_ => Lines(Header, """{"key":"file","value":{"content":"eA==","encoding":"base64"}}"""))),
        ["ndjson-path-a-number"] = new(400, Commit(_ => Lines(Header, """{"key":"file","value":{"path":5,"content":"eA==","encoding":"base64"}}"""))),
        ["ndjson-content-null"] = new(400, Commit(_ => Lines(Header, """{"key":"file","value":{"path":"README.md","content":null}}"""))),
        ["ndjson-encoding-unknown"] = new(400, Commit(_ => Lines(Header, """{"key":"file","value":{"path":"README.md","content":"eA==","encoding":"utf-16"}}"""))),
        ["ndjson-base64-invalid-characters"] = new(400, Commit(_ => Lines(Header, """{"key":"file","value":{"path":"README.md","content":"!!!!","encoding":"base64"}}"""))),
        ["ndjson-base64-bad-padding"] = new(400, Commit(_ => Lines(Header, """{"key":"file","value":{"path":"README.md","content":"eA=","encoding":"base64"}}"""))),
        ["ndjson-base64-url-alphabet"] = new(400, Commit(_ => Lines(Header, """{"key":"file","value":{"path":"README.md","content":"-_8=","encoding":"base64"}}"""))),
        ["ndjson-base64-of-invalid-utf8"] = new(422, Commit(_ => Lines(Header, FileLine(".eval_results/a.yaml", [0x2D, 0x20, 0xC3, 0x28])))),
        ["ndjson-header-missing"] = new(400, Commit(t => Lines(FileLine(".eval_results/a.yaml", t.ValidResults)))),
        ["ndjson-header-not-first"] = new(400, Commit(t => Lines(FileLine(".eval_results/a.yaml", t.ValidResults), Header))),
        ["ndjson-header-twice"] = new(400, Commit(t => Lines(Header, Header, FileLine(".eval_results/a.yaml", t.ValidResults)))),
        ["ndjson-header-value-not-an-object"] = new(400, Commit(_ => Lines("""{"key":"header","value":"hostile"}"""))),
        ["ndjson-summary-a-number"] = new(400, Commit(t => Lines("""{"key":"header","value":{"summary":5}}""", FileLine(".eval_results/a.yaml", t.ValidResults)))),
        ["ndjson-summary-with-nul"] = new(400, Commit(t => Lines("""{"key":"header","value":{"summary":"a\u0000b"}}""", FileLine(".eval_results/a.yaml", t.ValidResults))), Mentions: "NUL"),
        ["ndjson-description-lone-surrogate"] = new(400, Commit(t => Lines("""{"key":"header","value":{"summary":"s","description":"\ud800"}}""", FileLine(".eval_results/a.yaml", t.ValidResults))), Mentions: "not valid Unicode"),
        ["ndjson-path-lone-surrogate"] = new(400, Commit(t => Lines(Header, FileLine(".eval_results/a.yaml", t.ValidResults).Replace("a.yaml", @"a\udc00.yaml"))), Mentions: "not valid Unicode"),
        ["ndjson-path-raw-invalid-utf8"] = new(400, Commit(t => [.. Lines(Header, ""), .. Encoding.UTF8.GetBytes("""{"key":"file","value":{"path":".eval_results/caf"""), 0xE9, .. Encoding.UTF8.GetBytes(""".yaml","content":"eA==","encoding":"base64"}}""")]), Mentions: "not valid Unicode"),
        ["ndjson-content-lone-surrogate"] = new(400, Commit(_ => Lines(Header, """{"key":"file","value":{"path":"README.md","content":"# \ud800"}}""")), Mentions: "not valid Unicode"),
        ["ndjson-duplicate-path"] = new(400, Commit(t => Lines(Header, FileLine(".eval_results/a.yaml", t.ValidResults), FileLine(".eval_results/a.yaml", t.ValidResults)))),
        ["ndjson-file-and-deletion-of-one-path"] = new(400, Commit(t => Lines(Header, FileLine(".eval_results/a.yaml", t.ValidResults), DeletedLine(".eval_results/a.yaml")))),
        ["ndjson-lfs-file-for-a-results-file"] = new(422, Commit(_ => Lines(Header, """{"key":"lfsFile","value":{"path":".eval_results/a.yaml","algo":"sha256","oid":"0000000000000000000000000000000000000000000000000000000000000000","size":5}}"""))),
        ["ndjson-lfs-pointer-as-results"] = new(422, Commit(_ => Lines(Header, FileLine(".eval_results/lfs.yaml",
            Encoding.UTF8.GetBytes("version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n"))))),
        ["ndjson-empty-body"] = new(400, Commit(_ => [])),
        ["ndjson-blank-lines-only"] = new(400, Commit(_ => "\n\r\n  \t\n"u8.ToArray())),
        ["ndjson-utf16-body"] = new(400, Commit(t => [0xFF, 0xFE, .. Encoding.Unicode.GetBytes(Encoding.UTF8.GetString(Lines(Header, FileLine(".eval_results/a.yaml", t.ValidResults))))])),
        ["ndjson-utf8-bom"] = new(400, Commit(t => [0xEF, 0xBB, 0xBF, .. Lines(Header, FileLine(".eval_results/a.yaml", t.ValidResults))])),
        ["ndjson-nul-bytes"] = new(400, Commit(_ => new byte[1000])),
        ["ndjson-deep-json"] = new(400, Commit(_ => Lines(Header, new string('[', 100_000)))),
        ["ndjson-line-of-4-mib"] = new(400, Commit(_ => Lines(Header, new string('a', 4 << 20))), Large: true),
        ["ndjson-two-million-bad-lines"] = new(400, Commit(_ => Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("x\n", 2_000_000)))), Large: true, Mentions: "more than 100 problems"),
        ["ndjson-200000-late-headers"] = new(400, Commit(t => [.. Lines(FileLine(".eval_results/a.yaml", t.ValidResults), ""), .. Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(Header + "\n", 200_000)))]), Large: true),
        ["ndjson-over-16-mib"] = new(413, Commit(_ => Lines(Header, new string('a', 17 << 20))), Large: true),
        ["ndjson-deleting-a-missing-file"] = new(422, Commit(_ => Lines(Header, DeletedLine(".eval_results/never.yaml")))),
        ["ndjson-changing-nothing"] = new(422, Commit(_ => Lines(Header))),

        // Paths in a commit (API.md: relative, '/'-separated, accepted per repo kind): 422.
        ["path-dot-dot"] = new(422, CommitPath(".eval_results/../README.md")),
        ["path-absolute"] = new(422, CommitPath("/.eval_results/a.yaml")),
        ["path-backslash"] = new(422, CommitPath(@".eval_results\a.yaml")),
        ["path-nul"] = new(422, CommitPath(".eval_results/a\0.yaml")),
        ["path-5000-characters"] = new(422, CommitPath(".eval_results/" + new string('a', 5000) + ".yaml"), Mentions: "limit of 1,024"),
        ["path-right-to-left-override"] = new(422, CommitPath(".eval_results/x\u202Elmay.yaml"), Mentions: "\\u202E"),
        ["path-zero-width-space"] = new(422, CommitPath(".eval_results/a\u200B.yaml"), Mentions: "invisible"),
        ["path-line-break"] = new(422, CommitPath(".eval_results/a\nb.yaml"), Mentions: "control"),
        ["path-escape-sequence"] = new(422, CommitPath(".eval_results/\u001b[31mred.yaml"), Mentions: "control"),
        ["path-zero-width-in-folder-name"] = new(422, CommitPath(".eval_results\u200B/a.yaml")),
        ["path-fullwidth-solidus"] = new(422, CommitPath(".eval_results\uFF0Fa.yaml")),
        ["path-dot-segment"] = new(422, CommitPath(".eval_results/./a.yaml")),
        ["path-double-slash"] = new(422, CommitPath(".eval_results//a.yaml")),
        ["path-empty"] = new(422, CommitPath("")),
        ["path-folder-only"] = new(422, CommitPath(".eval_results/")),
        ["path-nested-folder"] = new(422, CommitPath(".eval_results/sub/a.yaml")),
        ["path-other-extension"] = new(422, CommitPath(".eval_results/a.json")),
        ["path-readme-other-case"] = new(422, CommitPath("readme.md")),
        ["path-outside-eval-results"] = new(422, CommitPath("config.json")),
        ["path-eval-yaml-in-a-model-repo"] = new(422, CommitPath("eval.yaml")),
        ["path-percent-encoded-dot-dot"] = new(422, CommitPath("%2e%2e/README.md")),
        ["path-git-folder-in-a-dataset-repo"] = new(422, CommitPath(".git/config", dataset: true)),
        ["path-git-folder-deeper-in-a-dataset-repo"] = new(422, CommitPath("data/.git/HEAD", dataset: true)),
        ["path-deleted-dot-dot"] = new(422, Commit(_ => Lines(Header, DeletedLine("../README.md")))),

        // Revisions in the commit URL: only main and refs/pr/N exist (404 for anything else).
        ["revision-pull-request-zero"] = new(404, Commit(t => Lines(Header, FileLine(".eval_results/a.yaml", t.ValidResults)), revision: "refs%2Fpr%2F0")),
        ["revision-pull-request-negative"] = new(404, Commit(t => Lines(Header, FileLine(".eval_results/a.yaml", t.ValidResults)), revision: "refs%2Fpr%2F-1")),
        ["revision-pull-request-huge"] = new(404, Commit(t => Lines(Header, FileLine(".eval_results/a.yaml", t.ValidResults)), revision: "refs%2Fpr%2F99999999999999999999")),
        ["revision-dot-dot"] = new(404, Commit(t => Lines(Header, FileLine(".eval_results/a.yaml", t.ValidResults)), revision: "..%2Fmain")),
        ["revision-invalid-percent-encoding"] = new(404, Commit(t => Lines(Header, FileLine(".eval_results/a.yaml", t.ValidResults)), revision: "ma%zzin")),

        // Headers.
        ["header-authorization-basic"] = new(401, (gateway, t) => Get(gateway, "/api/whoami-v2", null, "Authorization: Basic dXNlcjpwYXNz")),
        ["header-authorization-scheme-only"] = new(401, (gateway, t) => Get(gateway, "/api/whoami-v2", null, "Authorization: Bearer")),
        ["header-authorization-empty-token"] = new(401, (gateway, t) => Get(gateway, "/api/whoami-v2", null, "Authorization: Bearer    ")),
        ["header-authorization-unknown-token"] = new(401, (gateway, t) => Get(gateway, "/api/whoami-v2", null, "Authorization: Bearer hf_" + new string('x', 34))),
        ["header-authorization-20-kib"] = new(401, (gateway, t) => Get(gateway, "/api/whoami-v2", null, "Authorization: Bearer hf_" + new string('x', 20 << 10))),
        ["header-authorization-twice"] = new(401, (gateway, t) => Get(gateway, "/api/whoami-v2", null, $"Authorization: Bearer {t.Token}", $"Authorization: Bearer {t.Token}")),
        ["header-authorization-token-and-junk"] = new(401, (gateway, t) => Get(gateway, "/api/whoami-v2", null, $"Authorization: Bearer {t.Token}x")),
        ["header-identity-claimed-without-a-token"] = new(401, Commit(t => Lines(Header, FileLine(".eval_results/a.yaml", t.ValidResults)), signedIn: false,
            extraHeaders: ["X-CommunityEvals-User: admin", "X-CommunityEvals-Role: admin"])),
        ["header-admin-role-claimed-with-a-user-token"] = new(403, (gateway, t) => Post(gateway, "/api/users", t.Token, Encoding.UTF8.GetBytes("""{"name":"usurper"}"""),
            "application/json", "X-CommunityEvals-Role: admin", "X-CommunityEvals-User: admin")),
        ["header-content-type-json-with-a-json-object"] = new(400, Commit(_ => Encoding.UTF8.GetBytes("""{"summary":"s","files":[{"path":"README.md","content":"eA=="}]}"""), contentType: "application/json")),
        ["header-content-type-multipart"] = new(400, Commit(_ => Encoding.UTF8.GetBytes("--x\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nhello\r\n--x--\r\n"), contentType: "multipart/form-data; boundary=x")),
        ["header-content-type-form-on-a-json-route"] = new(400, (gateway, t) => Post(gateway, "/api/repos/create", t.Token, "type=model&name=formed"u8.ToArray(), "application/x-www-form-urlencoded")),
        ["header-content-type-utf16-json"] = new(400, (gateway, t) => Post(gateway, "/api/repos/create", t.Token, [0xFF, 0xFE, .. Encoding.Unicode.GetBytes("""{"type":"model","name":"wide"}""")], "application/json; charset=utf-16")),
        ["header-idempotency-key-257-characters"] = new(400, Commit(t => Lines(Header, FileLine(".eval_results/a.yaml", t.ValidResults)), extraHeaders: ["Idempotency-Key: " + new string('k', 257)])),
        ["header-idempotency-key-20-kib"] = new(400, Commit(t => Lines(Header, FileLine(".eval_results/a.yaml", t.ValidResults)), extraHeaders: ["Idempotency-Key: " + new string('k', 20 << 10)])),
        ["header-idempotency-key-twice"] = new(400, Commit(t => Lines(Header, FileLine(".eval_results/a.yaml", t.ValidResults)), extraHeaders: ["Idempotency-Key: first", "Idempotency-Key: second"]), Mentions: "given once"),

        // Query strings on read routes (and create_pr on a write).
        ["query-as-of-words"] = new(400, Board("?as_of=yesterday")),
        ["query-as-of-month-13"] = new(400, Board("?as_of=2026-13-01T00:00:00Z")),
        ["query-as-of-past-year-9999-in-utc"] = new(400, Board("?as_of=9999-12-31T23:59:59-14:00")),
        ["query-as-of-year-10000"] = new(400, Board("?as_of=10000-01-01")),
        ["query-as-of-nul"] = new(400, Board("?as_of=%00")),
        ["query-as-of-invalid-percent-encoding"] = new(400, Board("?as_of=2026-01-01T00:00:00%zz")),
        ["query-as-of-repeated"] = new(400, Board("?as_of=2026-01-01T00:00:00Z&as_of=2027-01-01T00:00:00Z"), Mentions: "given 2 times"),
        ["query-limit-negative"] = new(400, Board("?limit=-1")),
        ["query-limit-zero"] = new(400, Board("?limit=0")),
        ["query-limit-past-int"] = new(400, Board("?limit=99999999999999999999")),
        ["query-limit-exponent"] = new(400, Board("?limit=1e3")),
        ["query-limit-7000-digits"] = new(400, Board("?limit=" + new string('9', 7000))),
        ["query-limit-invalid-utf8"] = new(400, Board("?limit=%ff")),
        ["query-limit-repeated"] = new(400, Board("?limit=1&limit=2"), Mentions: "given 2 times"),
        ["query-limit-repeated-in-other-case"] = new(400, Board("?limit=1&LIMIT=2"), Mentions: "given 2 times"),
        ["query-offset-negative"] = new(400, Board("?offset=-1")),
        ["query-offset-past-int"] = new(400, Board("?offset=2147483648")),
        ["query-offset-repeated"] = new(400, Board("?offset=0&offset=1"), Mentions: "given 2 times"),
        ["query-verified-maybe"] = new(400, Board("?verified=maybe")),
        ["query-events-after-negative"] = new(400, (gateway, t) => Get(gateway, "/api/events?after=-1", null)),
        ["query-events-limit-1001"] = new(400, (gateway, t) => Get(gateway, "/api/events?limit=1001", null)),
        ["query-events-after-repeated"] = new(400, (gateway, t) => Get(gateway, "/api/events?after=1&after=2", null)),
        ["query-failures-limit-zero"] = new(400, (gateway, t) => Get(gateway, $"/api/results/{t.ResultId}/failures?limit=0", null)),
        ["query-failures-offset-negative"] = new(400, (gateway, t) => Get(gateway, $"/api/results/{t.ResultId}/failures?offset=-5", null)),
        ["query-failures-limit-repeated"] = new(400, (gateway, t) => Get(gateway, $"/api/results/{t.ResultId}/failures?limit=1&limit=2", null)),
        ["query-stream-benchmark-not-an-id"] = new(400, (gateway, t) => Get(gateway, "/api/events/stream?benchmark=nope", null)),
        ["query-stream-after-negative"] = new(400, (gateway, t) => Get(gateway, "/api/events/stream?after=-1", null)),
        ["query-stream-last-event-id-garbage"] = new(400, (gateway, t) => Get(gateway, "/api/events/stream", null, "Last-Event-ID: not.an.id")),
        ["query-eval-results-include-hidden-maybe"] = new(400, (gateway, t) => Get(gateway, $"/api/models/{t.Model}/eval-results?include_hidden=maybe", null)),
        ["query-hub-leaderboard-base-model-maybe"] = new(400, (gateway, t) => Get(gateway, $"/api/datasets/{t.Dataset}/leaderboard?base_model=maybe", null)),
        ["query-datasets-limit-negative"] = new(400, (gateway, t) => Get(gateway, "/api/datasets?limit=-3", null)),
        ["query-discussions-page-negative"] = new(400, (gateway, t) => Get(gateway, $"/api/models/{t.Model}/discussions?p=-1", null)),
        ["query-create-pr-repeated"] = new(400, Commit(t => Lines(Header, FileLine(".eval_results/a.yaml", t.ValidResults)), query: "?create_pr=1&create_pr=1")),

        // Path segments of the URL.
        ["url-invalid-percent-encoding"] = new(404, (gateway, t) => Get(gateway, "/api/models/%zz/%ff%fe", null)),
        ["url-encoded-dot-dot"] = new(404, (gateway, t) => Get(gateway, "/api/models/..%2f..%2fetc/passwd", null)),
        ["url-evidence-for-a-malformed-id"] = new(404, (gateway, t) => Post(gateway, "/api/results/not-a-result-id/evidence", t.Token, [1, 2, 3], "application/octet-stream")),
        ["url-evidence-anonymous"] = new(401, (gateway, t) => Post(gateway, $"/api/results/{t.ResultId}/evidence", null, [1, 2, 3], "application/octet-stream")),
        ["url-evidence-empty-body"] = new(400, (gateway, t) => Post(gateway, $"/api/results/{t.ResultId}/evidence", t.Token, [], "application/octet-stream")),

        // JSON request bodies (API.md: 400 when not JSON or not the expected object).
        ["json-comment-with-nul"] = new(400, (gateway, t) => Post(gateway, $"/api/models/{t.Model}/discussions/{t.PullRequest}/comment", t.Token, """{"comment":"a\u0000b"}"""u8.ToArray(), "application/json"), Mentions: "NUL"),
        ["json-comment-lone-surrogate"] = new(400, (gateway, t) => Post(gateway, $"/api/models/{t.Model}/discussions/{t.PullRequest}/comment", t.Token, """{"comment":"\ud800"}"""u8.ToArray(), "application/json")),
        ["json-comment-invalid-utf8"] = new(400, (gateway, t) => Post(gateway, $"/api/models/{t.Model}/discussions/{t.PullRequest}/comment", t.Token, [.. """{"comment":"caf"""u8, 0xE9, .. "\"}"u8], "application/json")),
        ["json-hide-reason-with-nul"] = new(400, (gateway, t) => Post(gateway, $"/api/results/{t.ResultId}/hide", t.Token, """{"reason":"\u0000"}"""u8.ToArray(), "application/json"), Mentions: "NUL"),
        ["json-repo-name-with-nul"] = new(400, (gateway, t) => Post(gateway, "/api/repos/create", t.Token, """{"type":"model","name":"a\u0000b"}"""u8.ToArray(), "application/json")),
        ["json-nested-100-levels"] = new(400, (gateway, t) => Post(gateway, "/api/repos/create", t.Token,
            Encoding.UTF8.GetBytes("{\"type\":\"model\",\"name\":\"deep\",\"x\":" + new string('[', 100) + new string(']', 100) + "}"), "application/json")),
        ["json-trailing-garbage"] = new(400, (gateway, t) => Post(gateway, "/api/repos/create", t.Token, """{"type":"model","name":"trailing"} and more"""u8.ToArray(), "application/json")),
        ["json-array-instead-of-object"] = new(400, (gateway, t) => Post(gateway, "/api/repos/create", t.Token, "[]"u8.ToArray(), "application/json")),
        ["json-empty-body"] = new(400, (gateway, t) => Post(gateway, "/api/repos/create", t.Token, [], "application/json")),
        ["json-null-body"] = new(400, (gateway, t) => Post(gateway, "/api/repos/create", t.Token, "null"u8.ToArray(), "application/json")),
    };

    private static readonly Dictionary<string, Case> BareCases = new()
    {
        ["header-block-over-32-kib"] = new(431, (gateway, t) => Get(gateway, "/api/events", null, "X-Junk: " + new string('j', 40 << 10))),
        ["header-count-over-100"] = new(431, (gateway, t) => Get(gateway, "/api/events", null, Enumerable.Range(0, 120).Select(i => $"X-Junk-{i}: {i}").ToArray())),
        ["header-request-line-over-8-kib"] = new(414, (gateway, t) => Get(gateway, "/api/events?x=" + new string('x', 9 << 10), null)),
        ["header-nul-in-a-value"] = new(400, (gateway, t) => Get(gateway, "/api/events", null, "X-Junk: a\0b")),
        ["header-latin1-byte-in-a-value"] = new(400, (gateway, t) => Get(gateway, "/api/events", null, "X-Junk: caf\u00E9")),
        ["header-name-with-a-space"] = new(400, (gateway, t) => Get(gateway, "/api/events", null, "X Junk: value")),
        ["request-line-with-a-raw-space-in-the-target"] = new(400, (gateway, t) => Get(gateway, "/api/events?a=b c", null)),
        // A NUL decoded from the path could never reach a database query: Kestrel refuses it.
        ["url-nul-in-a-model-name"] = new(400, (gateway, t) => Get(gateway, $"/api/models/{t.Model}%00", null)),
        ["url-nul-in-a-result-id"] = new(400, (gateway, t) => Get(gateway, "/api/results/a%00b/verification", null)),
        ["url-nul-in-a-result-history"] = new(400, (gateway, t) => Get(gateway, "/api/results/a%00b/history", null)),
        ["url-nul-in-a-board-task"] = new(400, (gateway, t) => Get(gateway, $"/api/leaderboards/{t.Dataset}/ma%00in", null)),
        ["url-nul-in-an-evidence-id"] = new(400, (gateway, t) => Post(gateway, "/api/results/%00/evidence", t.Token, [1, 2, 3], "application/octet-stream")),
        ["url-nul-in-a-revision"] = new(400, Commit(t => Lines(Header, FileLine(".eval_results/a.yaml", t.ValidResults)), revision: "main%00")),
    };

    // Evidence the verification service must reject as unreadable (services/evidence, EvidenceOptions).
    private static readonly Dictionary<string, Func<byte[]>> HostileEvidence = new()
    {
        ["evidence-not-a-log"] = () => "#!/bin/sh\nrm -rf /\n"u8.ToArray(),
        ["evidence-truncated-zip"] = () => Zip(("header.json", Encoding.UTF8.GetBytes("{\"version\":2,\"status\":\"success\"}")))[..40],
        ["evidence-zip-bomb"] = () => Zip(("header.json", new byte[64 << 20])),
        ["evidence-zip-entry-escaping-its-folder"] = () => Zip(("../../header.json", "{}"u8.ToArray())),
        ["evidence-json-nested-100000-levels"] = () => Encoding.UTF8.GetBytes(new string('[', 100_000) + new string(']', 100_000)),
        ["evidence-json-huge-number"] = () => Encoding.UTF8.GetBytes("{\"version\":2,\"status\":\"success\",\"results\":{\"total_samples\":1" + new string('0', 100_000) + "}}"),
        ["evidence-json-in-utf16"] = () => [0xFF, 0xFE, .. Encoding.Unicode.GetBytes("{\"version\":2,\"status\":\"success\"}")],
        ["evidence-json-invalid-utf8"] = () => [.. "{\"version\":2,\"status\":\"succ"u8, 0xC3, 0x28, .. "ss\"}"u8],
        ["evidence-json-array"] = () => "[]"u8.ToArray(),
        ["evidence-json-truncated"] = () => "{\"version\":2,\"status\":\"success\",\"eval\":{\"task\":"u8.ToArray(),
    };

    private const string Header = """{"key":"header","value":{"summary":"hostile"}}""";

    private static byte[] Lines(params string[] lines) => Encoding.UTF8.GetBytes(string.Join('\n', lines));

    private static string FileLine(string path, byte[] content) =>
        JsonSerializer.Serialize(new { key = "file", value = new { path, content = Convert.ToBase64String(content), encoding = "base64" } });

    private static string DeletedLine(string path) => JsonSerializer.Serialize(new { key = "deletedFile", value = new { path } });

    private static Func<Uri, Target, Task<RawHttp.Answer>> Commit(
        Func<Target, byte[]> body, string revision = "main", string query = "", bool dataset = false, string? contentType = "application/x-ndjson",
        string[]? extraHeaders = null, bool signedIn = true) =>
        (gateway, t) =>
        {
            var headers = new List<string>(extraHeaders ?? []);
            if (signedIn)
            {
                headers.Add($"Authorization: Bearer {t.Token}");
            }

            if (contentType is not null)
            {
                headers.Add($"Content-Type: {contentType}");
            }

            var repo = dataset ? $"datasets/{t.Dataset}" : $"models/{t.Model}";
            return RawHttp.SendAsync(gateway, "POST", $"/api/{repo}/commit/{revision}{query}", headers, body(t));
        };

    private static Func<Uri, Target, Task<RawHttp.Answer>> CommitPath(string path, bool dataset = false) =>
        Commit(t => Lines(Header, FileLine(path, t.ValidResults)), dataset: dataset);

    private static Func<Uri, Target, Task<RawHttp.Answer>> Board(string query) =>
        (gateway, t) => Get(gateway, $"/api/leaderboards/{t.Dataset}/main{query}", null);

    private static Task<RawHttp.Answer> Get(Uri gateway, string target, string? token, params string[] headers) =>
        RawHttp.SendAsync(gateway, "GET", target, WithToken(headers, token));

    private static Task<RawHttp.Answer> Post(Uri gateway, string target, string? token, byte[] body, string contentType, params string[] headers) =>
        RawHttp.SendAsync(gateway, "POST", target, WithToken([.. headers, $"Content-Type: {contentType}"], token), body);

    private static string[] WithToken(string[] headers, string? token) =>
        token is null ? headers : [.. headers, $"Authorization: Bearer {token}"];

    private static byte[] Zip(params (string Name, byte[] Content)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                using var entry = zip.CreateEntry(name, CompressionLevel.SmallestSize).Open();
                entry.Write(content);
            }
        }

        return buffer.ToArray();
    }

    // The first request to a route pays for JIT compilation in the service it reaches; one second
    // is a bound on handling the input, so each route is called once before the clock starts.
    private async Task WarmUpAsync(Target target)
    {
        foreach (var name in new[] { "ndjson-changing-nothing", "url-evidence-empty-body", "query-limit-zero", "query-events-limit-1001",
                     "query-failures-limit-zero", "json-empty-body", "json-comment-lone-surrogate", "json-hide-reason-with-nul", "header-authorization-basic" })
        {
            await Cases[name].Send(stack.Gateway, target);
        }
    }

    /// <summary>One org for every case: a registered benchmark, a model with one result on main, and an open pull request.</summary>
    private async Task<Target> SetupAsync()
    {
        await SetupGate.WaitAsync();
        try
        {
            if (_target is { } ready)
            {
                return ready;
            }

            var org = $"hostile-{Guid.NewGuid():N}"[..20];
            var owner = await stack.CreateUserAsync("hostile-own", org);
            var dataset = await owner.Client.CreateRepoAsync("dataset", "bench", org);
            using (var registered = await owner.Client.CommitAsync("dataset", dataset, "main", "eval.yaml", HubCommits.BenchmarkYaml()))
            {
                Assert.Equal(HttpStatusCode.OK, registered.StatusCode);
            }

            var model = await owner.Client.CreateRepoAsync("model", "model-7b", org);
            using (var committed = await owner.Client.CommitAsync("model", model, "main", ".eval_results/main.yaml", HubCommits.ResultYaml(dataset, "main", "50")))
            {
                Assert.Equal(HttpStatusCode.OK, committed.StatusCode);
            }

            using (var opened = await owner.Client.CommitAsync("model", model, "main", ".eval_results/proposed.yaml", HubCommits.ResultYaml(dataset, "main", "60"), createPullRequest: true))
            {
                Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
            }

            var resultId = await Eventually.GetAsync(async () =>
            {
                // The model's page is a projection: 404 until the daemon has folded the commit.
                using var response = await stack.Anonymous.GetAsync($"/api/models/{model}/eval-results");
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    return null;
                }

                var results = await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
                return results.EnumerateArray().FirstOrDefault(r => r.GetProperty("filename").GetString() == ".eval_results/main.yaml") is { ValueKind: JsonValueKind.Object } found
                    ? found.GetProperty("id").GetString()
                    : null;
            }, "the result on main");
            _target = new Target(owner.Token, model, dataset, resultId, 1);
            await WarmUpAsync(_target);
            return _target;
        }
        finally
        {
            SetupGate.Release();
        }
    }
}
