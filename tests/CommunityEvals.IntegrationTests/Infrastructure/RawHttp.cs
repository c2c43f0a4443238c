using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace CommunityEvals.IntegrationTests.Infrastructure;

/// <summary>
/// HTTP/1.1 written by hand, for requests HttpClient will not send as given: invalid
/// percent-encoding (System.Uri would re-escape it), repeated or oversized headers, bytes no
/// header may hold. One request per connection (<c>Connection: close</c>).
/// </summary>
public static class RawHttp
{
    public sealed record Answer(int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body)
    {
        public string ContentType => Headers.TryGetValue("content-type", out var type) ? type : "";

        public string Text => Encoding.UTF8.GetString(Body);

        public JsonElement Json() => JsonDocument.Parse(Body).RootElement.Clone();

        public override string ToString() => $"{Status} {ContentType} {(Text.Length > 600 ? Text[..600] + "..." : Text)}";
    }

    /// <param name="target">The request target exactly as sent: path and query, already escaped (or not).</param>
    /// <param name="headers">Whole header lines, <c>Name: value</c>; written as Latin-1, so any byte can be put in one.</param>
    public static async Task<Answer> SendAsync(Uri server, string method, string target, IEnumerable<string>? headers = null, byte[]? body = null)
    {
        using var tcp = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await tcp.ConnectAsync(server.Host, server.Port, timeout.Token);
        var stream = tcp.GetStream();

        var head = new StringBuilder($"{method} {target} HTTP/1.1\r\nHost: {server.Authority}\r\nConnection: close\r\n");
        foreach (var line in headers ?? [])
        {
            head.Append(line).Append("\r\n");
        }

        if (body is not null)
        {
            head.Append($"Content-Length: {body.Length}\r\n");
        }

        head.Append("\r\n");
        try
        {
            await stream.WriteAsync(Encoding.Latin1.GetBytes(head.ToString()), timeout.Token);
            if (body is not null)
            {
                await stream.WriteAsync(body, timeout.Token);
            }
        }
        catch (IOException)
        {
            // The server may answer (413, 431) and close before the whole request is written:
            // what it answered is still there to read.
        }

        var received = new MemoryStream();
        try
        {
            await stream.CopyToAsync(received, timeout.Token);
        }
        catch (IOException) when (received.Length > 0)
        {
            // A reset after the answer, for the part of the body the server never read.
        }

        return Parse(received.ToArray());
    }

    private static Answer Parse(byte[] response)
    {
        var end = response.AsSpan().IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            throw new InvalidDataException($"no complete answer: {Encoding.Latin1.GetString(response)}");
        }

        var lines = Encoding.Latin1.GetString(response, 0, end).Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1]);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':');
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        var body = response[(end + 4)..];
        if (headers.TryGetValue("transfer-encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = Dechunk(body);
        }

        return new Answer(status, headers, body);
    }

    private static byte[] Dechunk(byte[] chunked)
    {
        var body = new MemoryStream();
        var at = 0;
        while (at < chunked.Length)
        {
            var lineEnd = chunked.AsSpan(at).IndexOf("\r\n"u8);
            var size = Convert.ToInt32(Encoding.Latin1.GetString(chunked, at, lineEnd).Split(';')[0], 16);
            at += lineEnd + 2;
            if (size == 0)
            {
                break;
            }

            body.Write(chunked, at, size);
            at += size + 2;
        }

        return body.ToArray();
    }
}
