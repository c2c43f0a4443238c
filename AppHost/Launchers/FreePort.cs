using System.Net;
using System.Net.Sockets;

namespace CommunityEvals.AppHost.Launchers;

/// <summary>Free TCP ports on the loopback interface.</summary>
public static class FreePort
{
    private static readonly HashSet<int> HandedOut = [];
    private static readonly Lock Gate = new();

    /// <summary>
    /// A port that is free on 127.0.0.1 right now (the OS picks it: bind to port 0). Within this process the same
    /// port is never handed out twice, so several servers started together do not collide.
    /// </summary>
    public static int Next()
    {
        lock (Gate)
        {
            for (var attempt = 0; ; attempt++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                listener.Stop();
                if (HandedOut.Add(port) || attempt > 50)
                {
                    return port;
                }
            }
        }
    }

    /// <summary>True when nothing listens on 127.0.0.1:<paramref name="port"/> and it can be bound.</summary>
    public static bool IsFree(int port)
    {
        try
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>True when a TCP connection to <paramref name="host"/>:<paramref name="port"/> succeeds.</summary>
    public static async Task<bool> CanConnectAsync(string host, int port, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(host, port, cts.Token);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
