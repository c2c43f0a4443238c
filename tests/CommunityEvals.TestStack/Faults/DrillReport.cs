using System.Globalization;
using System.Text;

namespace CommunityEvals.TestStack.Faults;

/// <summary>One kill: of what, and how the stack came back.</summary>
/// <param name="Process">The killed process's name (beam.smp, postgres, the service's own executable).</param>
/// <param name="SecondsToHeal">From the kill until the resource ran a new process that Aspire found healthy and the gateway's /health answered 200; null when that never happened.</param>
/// <param name="Restarts">How many restarts the AppHost counted for the resource meanwhile (the dashboard's property).</param>
/// <param name="Timeline">The resource's states as Aspire reported them, with the seconds since the kill.</param>
public sealed record FaultOutcome(string Fault, string Process, int KilledPid, int? NewPid, double? SecondsToHeal, int Restarts, IReadOnlyList<string> Timeline);

/// <summary>How one subscriber's changes compare with those stored.</summary>
/// <param name="Missing">Stored changes it never got.</param>
/// <param name="Duplicates">Change ids sent to it more than once: received more than once, not counting the broker's redeliveries.</param>
/// <param name="Redelivered">
/// Repeats the broker flagged as redelivered: it delivered the message before its crash but lost the
/// subscriber's acknowledgement, as AMQP allows (at least once). Subscribers drop them by id (EVENTS.md).
/// </param>
/// <param name="Unexpected">Changes it got that are not stored.</param>
public sealed record Delivery(int Received, IReadOnlyList<string> Missing, IReadOnlyList<string> Duplicates, IReadOnlyList<string> Redelivered, IReadOnlyList<string> Unexpected)
{
    public static Delivery Compare(IReadOnlyList<ReceivedChange> stored, IReadOnlyList<ReceivedChange> received)
    {
        var ids = received.Select(c => c.Id).ToHashSet();
        var storedIds = stored.Select(s => s.Id).ToHashSet();
        var repeats = received.GroupBy(c => c.Id).Where(g => g.Count() > 1).ToList();
        return new Delivery(
            Received: received.Count,
            Missing: stored.Where(s => !ids.Contains(s.Id)).Select(s => s.Id).ToList(),
            Duplicates: repeats.Where(g => g.Count(c => !c.Redelivered) > 1).Select(g => g.Key).ToList(),
            Redelivered: repeats.Where(g => g.Count(c => !c.Redelivered) <= 1).Select(g => g.Key).ToList(),
            Unexpected: received.Where(c => !storedIds.Contains(c.Id)).Select(c => c.Id).Distinct().ToList());
    }
}

/// <summary>What the log, the boards and the subscribers hold once every fault is over.</summary>
public sealed record Verdict(
    int Answered,
    IReadOnlyList<FaultDrill.MainCommit> OnMain,
    IReadOnlyList<CommitAttempt> Lost,
    IReadOnlyList<string> CommittedTwice,
    IReadOnlyList<CommitAttempt> NotOnBoard,
    IReadOnlyList<ReceivedChange> Stored,
    int ReplayDuplicates,
    Delivery Broker,
    Delivery Live,
    int LiveConnections,
    IReadOnlyList<string> ListenerErrors,
    bool RebuildEqual,
    bool Rebuilt);

public sealed record DrillReport(IReadOnlyList<FaultOutcome> Outcomes, Verdict Verdict, IReadOnlyList<CommitAttempt> Commits, IReadOnlyList<ReadAttempt> Reads)
{
    /// <summary>Everything that breaks a promise; empty when the drill passed.</summary>
    public IReadOnlyList<string> Violations
    {
        get
        {
            var violations = new List<string>();
            foreach (var outcome in Outcomes)
            {
                var fault = outcome.Fault;
                if (outcome.SecondsToHeal is null)
                {
                    violations.Add($"{fault}: the stack was not healthy again");
                }

                if (outcome.Restarts < 1)
                {
                    violations.Add($"{fault}: the AppHost counted no restart");
                }

                foreach (var answer in AnswersDuring(fault))
                {
                    if (!Acceptable(fault, answer))
                    {
                        violations.Add($"{fault}: answered {answer.Kind}{(answer.Status == 503 ? $" (Retry-After {answer.RetryAfter}, problem document {answer.ProblemDocument})" : "")}{(answer.Error is null ? "" : $": {answer.Error}")}");
                    }

                    if (answer.Seconds > FaultDrill.LongestWait.TotalSeconds)
                    {
                        violations.Add($"{fault}: a caller waited {answer.Seconds:F1} s");
                    }
                }
            }

            var verdict = Verdict;
            violations.AddRange(verdict.Lost.Select(c => $"lost: {c.Model} {c.Value} (commit {c.CommitOid}, answered 200 during {c.Phase}) is not on main"));
            violations.AddRange(verdict.CommittedTwice.Select(c => $"committed twice: {c}"));
            violations.AddRange(verdict.NotOnBoard.Select(c => $"not on the board: {c.Model} {c.Value} (answered 200 during {c.Phase})"));
            if (verdict.ReplayDuplicates > 0)
            {
                violations.Add($"the SSE replay repeated {verdict.ReplayDuplicates} changes");
            }

            foreach (var (name, delivery) in new[] { ("RabbitMQ", verdict.Broker), ("SSE", verdict.Live) })
            {
                violations.AddRange(delivery.Missing.Select(id => $"{name} subscriber never got change {id}"));
                violations.AddRange(delivery.Duplicates.Select(id => $"{name} subscriber got change {id} more than once"));
                violations.AddRange(delivery.Unexpected.Select(id => $"{name} subscriber got change {id}, which is not stored"));
            }

            violations.AddRange(verdict.ListenerErrors);
            if (!verdict.RebuildEqual)
            {
                violations.Add("the board after the rebuild differs from the board before it");
            }

            return violations;
        }
    }

    /// <summary>While the gateway itself is down nothing can answer: a refused connection is all a caller can get.</summary>
    private static bool Acceptable(string fault, Answer answer) =>
        answer.Status == 200 || answer.IsProperUnavailable || (fault == Stack.GatewayName && answer.Status is null);

    private IEnumerable<Answer> AnswersDuring(string phase) =>
        Commits.Where(c => c.Phase == phase).Select(c => c.Answer).Concat(Reads.Where(r => r.Phase == phase).Select(r => r.Answer));

    /// <summary>The fault during which the commit behind a change (<c>{sequence}.{n}</c>) was sent; its model for a change of another event.</summary>
    private string PhaseOf(string changeId)
    {
        var sequence = long.Parse(changeId[..changeId.IndexOf('.', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
        var commit = Verdict.OnMain.FirstOrDefault(m => m.Sequence == sequence);
        return commit is null ? "" : Commits.FirstOrDefault(c => c.CommitOid == commit.CommitOid)?.Phase ?? "";
    }

    public string Describe(string command)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"== faults: {command}");
        text.AppendLine(CultureInfo.InvariantCulture,
            $"{"fault",-24} {"killed",-20} {"healed",8} {"restarts",8}  {"commits answered",-34} {"board reads answered",-30} {"max wait",8} {"lost",4} {"duplicated",10} {"redelivered",11}");
        foreach (var outcome in Outcomes)
        {
            var commits = Commits.Where(c => c.Phase == outcome.Fault).ToList();
            var reads = Reads.Where(r => r.Phase == outcome.Fault).ToList();
            var maxWait = commits.Select(c => c.Answer.Seconds).Concat(reads.Select(r => r.Answer.Seconds)).DefaultIfEmpty(0).Max();
            var lost = Verdict.Lost.Count(c => c.Phase == outcome.Fault);
            var duplicated = Verdict.Broker.Duplicates.Concat(Verdict.Live.Duplicates).Count(id => PhaseOf(id) == outcome.Fault);
            var redelivered = Verdict.Broker.Redelivered.Count(id => PhaseOf(id) == outcome.Fault);
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{outcome.Fault,-24} {$"{outcome.Process} {outcome.KilledPid}",-20} {(outcome.SecondsToHeal is { } healed ? $"{healed:F1} s" : "never"),8} {outcome.Restarts,8}  {ByStatus(commits.Select(c => c.Answer)),-34} {ByStatus(reads.Select(r => r.Answer)),-30} {maxWait,6:F2} s {lost,4} {duplicated,10} {redelivered,11}");
        }

        text.AppendLine();
        foreach (var outcome in Outcomes)
        {
            var (what, slowest) = Commits.Where(c => c.Phase == outcome.Fault).Select(c => (What: "commit", c.Answer))
                .Concat(Reads.Where(r => r.Phase == outcome.Fault).Select(r => (What: "board read", r.Answer)))
                .MaxBy(pair => pair.Answer.Seconds);
            var slowestText = slowest is null ? "" : string.Create(CultureInfo.InvariantCulture, $"; slowest answer: a {what} answered {slowest.Kind} after {slowest.Seconds:F2} s");
            text.AppendLine(CultureInfo.InvariantCulture, $"{outcome.Fault}: {string.Join(", ", outcome.Timeline)}{slowestText}");
        }

        var verdict = Verdict;
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"commits answered 200: {verdict.Answered}; on main: {verdict.Answered - verdict.Lost.Count} (lost {verdict.Lost.Count}); on the board: {verdict.Answered - verdict.NotOnBoard.Count}");
        var unanswered = verdict.OnMain.Count(m => !Commits.Any(c => c.CommitOid == m.CommitOid));
        text.AppendLine(CultureInfo.InvariantCulture,
            $"main commits in the log: {verdict.OnMain.Count} (committed twice {verdict.CommittedTwice.Count}); {unanswered} of them were answered 503 or not at all (the service or the gateway died after the commit, before its answer)");
        text.AppendLine(CultureInfo.InvariantCulture,
            $"score changes stored (SSE replay from the start): {verdict.Stored.Count} (repeated {verdict.ReplayDuplicates})");
        text.AppendLine(CultureInfo.InvariantCulture, $"RabbitMQ subscriber (durable queue): {Describe(verdict.Broker)}");
        text.AppendLine(CultureInfo.InvariantCulture, $"SSE client resuming with Last-Event-ID: {Describe(verdict.Live)}; connected {verdict.LiveConnections} times");
        text.AppendLine(verdict.Rebuilt ? $"rebuild from the log: the board is {(verdict.RebuildEqual ? "the same" : "DIFFERENT")}" : "rebuild: not asked for");
        var violations = Violations;
        text.AppendLine(violations.Count == 0 ? "every check passed" : $"{violations.Count} FAILED checks:\n  " + string.Join("\n  ", violations.Take(40)));
        return text.ToString();
    }

    private static string Describe(Delivery delivery) =>
        $"{delivery.Received} received, {delivery.Missing.Count} missing, {delivery.Duplicates.Count} sent twice, {delivery.Redelivered.Count} redelivered by the broker after its restart (dropped by id), {delivery.Unexpected.Count} not stored";

    private static string ByStatus(IEnumerable<Answer> answers)
    {
        var groups = answers.GroupBy(a => a.Kind).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} x{g.Count()}").ToList();
        return groups.Count == 0 ? "none" : string.Join(", ", groups);
    }
}
