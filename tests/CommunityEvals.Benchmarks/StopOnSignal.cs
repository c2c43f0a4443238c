using System.Runtime.InteropServices;

namespace CommunityEvals.Benchmarks;

/// <summary>
/// Ctrl+C or SIGTERM cancel <see cref="Token"/> instead of killing the process, so a benchmark stops at
/// its next step and still stops the stack it started (and deletes its files).
/// </summary>
public sealed class StopOnSignal : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;

    public StopOnSignal()
    {
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    public CancellationToken Token => _stop.Token;

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        Console.Error.WriteLine($"{context.Signal}: stopping");
        _stop.Cancel();
    }

    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
        _stop.Dispose();
    }
}
