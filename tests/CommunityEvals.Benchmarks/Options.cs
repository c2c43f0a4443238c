namespace CommunityEvals.Benchmarks;

public sealed record Options(int Clients, TimeSpan Duration)
{
    public static Options Parse(string[] args)
    {
        var clients = 16;
        var seconds = 20;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--clients":
                    clients = int.Parse(args[i + 1]);
                    break;
                case "--seconds":
                    seconds = int.Parse(args[i + 1]);
                    break;
                default:
                    throw new ArgumentException($"unknown option {args[i]}");
            }
        }

        return new Options(clients, TimeSpan.FromSeconds(seconds));
    }
}
