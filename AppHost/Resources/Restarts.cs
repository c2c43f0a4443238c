using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CommunityEvals.AppHost.Resources;

/// <summary>
/// Starts a process again when it exits on its own while the application runs (a crash, an OOM kill,
/// a SIGKILL), as a container runtime's restart policy would. Aspire 13.6 has a restart policy for
/// containers only (DCP's <c>Container.restartPolicy</c>); an executable or a project that exits stays
/// down. The start goes through Aspire's own start command, the one the dashboard's Start button runs,
/// so dependencies are waited for as at the first start. A resource that dies again soon after its
/// restart waits longer each time: 1 s, doubling up to 30 s. Each restart is logged to the AppHost's
/// console and to the resource's own log, and the resource shows its count of restarts as a property
/// (the dashboard's details).
/// </summary>
public sealed class ExitedResourceRestarter(
    ResourceNotificationService notifications,
    ResourceCommandService commands,
    ResourceLoggerService resourceLogs,
    IHostApplicationLifetime lifetime,
    ILogger<ExitedResourceRestarter> logger) : BackgroundService
{
    /// <summary>The property that counts a resource's restarts, shown by the dashboard.</summary>
    public const string RestartsProperty = "communityevals.restarts";

    public static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    /// <summary>A resource that ran this long before it exited is not crash-looping: its next restart waits <see cref="FirstDelay"/> again.</summary>
    public static readonly TimeSpan Stable = MaxDelay;

    /// <summary>
    /// How long to wait before starting a resource again: <see cref="FirstDelay"/> the first time, and
    /// after a resource that ran <see cref="Stable"/> or longer; else twice the previous wait, at most
    /// <see cref="MaxDelay"/>.
    /// </summary>
    public static TimeSpan NextDelay(TimeSpan? previous, TimeSpan ranFor) =>
        previous is not { } last || ranFor >= Stable ? FirstDelay : TimeSpan.FromTicks(Math.Min(last.Ticks * 2, MaxDelay.Ticks));

    /// <summary>What is known of one resource (one DCP instance) between its notifications.</summary>
    private sealed class Tracked
    {
        public string? State { get; set; }

        public TimeSpan? LastDelay { get; set; }

        public int Restarts { get; set; }

        /// <summary>Set when someone asked for the stop (the dashboard's Stop), so that its exit is left alone.</summary>
        public bool StopRequested { get; set; }

        /// <summary>A start is scheduled and not yet asked for.</summary>
        public bool Pending { get; set; }
    }

    private readonly ConcurrentDictionary<string, Tracked> _resources = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Stopping the application stops every resource; none of those exits is a crash.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lifetime.ApplicationStopping);
        try
        {
            await foreach (var update in notifications.WatchAsync(stopping.Token))
            {
                if (update.Resource is ExecutableResource or ProjectResource)
                {
                    Observe(update, stopping.Token);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private void Observe(ResourceEvent update, CancellationToken stopping)
    {
        var resource = _resources.GetOrAdd(update.ResourceId, _ => new Tracked());
        var state = update.Snapshot.State?.Text;
        var previous = resource.State;
        resource.State = state;
        if (state == previous)
        {
            return;
        }

        if (state == KnownResourceStates.Running)
        {
            resource.StopRequested = false;
            return;
        }

        if (state == KnownResourceStates.Stopping)
        {
            resource.StopRequested = true;
            return;
        }

        if (!KnownResourceStates.TerminalStates.Contains(state) || previous is null || KnownResourceStates.TerminalStates.Contains(previous))
        {
            return;
        }

        if (resource.StopRequested || stopping.IsCancellationRequested || resource.Pending)
        {
            return;
        }

        var snapshot = update.Snapshot;
        var ranFor = (snapshot.StopTimeStamp ?? DateTime.UtcNow) - (snapshot.StartTimeStamp ?? DateTime.UtcNow);
        var delay = NextDelay(resource.LastDelay, ranFor);
        resource.LastDelay = delay;
        resource.Pending = true;
        resource.Restarts++;
        var exit = update.Snapshot.ExitCode is { } code ? $"exit code {code}" : "no exit code";
        var line = $"{update.ResourceId} {state} ({exit}) after running {ranFor.TotalSeconds:0.#} s; starting it again in {delay.TotalSeconds:0.#} s (restart {resource.Restarts})";
        logger.LogWarning("{Restart}", line);
        resourceLogs.GetLogger(update.ResourceId).LogWarning("{Restart}", line);
        _ = RestartAsync(update, resource, delay, stopping);
    }

    private async Task RestartAsync(ResourceEvent update, Tracked resource, TimeSpan delay, CancellationToken stopping)
    {
        try
        {
            await Task.Delay(delay, stopping);
            await notifications.PublishUpdateAsync(update.Resource, update.ResourceId, snapshot => snapshot with
            {
                Properties = [
                    .. snapshot.Properties.Where(property => property.Name != RestartsProperty),
                    new ResourcePropertySnapshot(RestartsProperty, resource.Restarts.ToString(CultureInfo.InvariantCulture)),
                ],
            });
            // From here an exit is the new process's own: it is seen and handled like the first.
            resource.Pending = false;
            var result = await commands.ExecuteCommandAsync(update.ResourceId, KnownResourceCommands.StartCommand, stopping);
            if (!result.Success)
            {
                logger.LogError("Starting {Resource} again failed: {Error}", update.ResourceId, result.Message);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (Exception exception)
        {
            logger.LogError(exception, "Starting {Resource} again failed", update.ResourceId);
        }
    }
}

public static class RestartExtensions
{
    /// <summary>Every executable and project that exits while the application runs is started again (<see cref="ExitedResourceRestarter"/>).</summary>
    public static IDistributedApplicationBuilder RestartWhatExits(this IDistributedApplicationBuilder builder)
    {
        if (builder.ExecutionContext.IsRunMode)
        {
            builder.Services.AddHostedService<ExitedResourceRestarter>();
        }

        return builder;
    }
}
