// Rerunnable benchmarks against the whole stack on this machine (private PostgreSQL and
// RabbitMQ, the AppHost running the services): `eng/bench.sh <name> [options]`.
using CommunityEvals.Benchmarks;

try
{
    return args switch
    {
        ["commits", .. var rest] => await CommitThroughput.RunAsync(Options.Parse(rest)),
        ["freshness", .. var rest] => await Freshness.RunAsync(Options.Parse(rest, Freshness.Defaults, Freshness.Allowed)),
        ["reads", .. var rest] => await Reads.RunAsync(Options.Parse(rest, Reads.Defaults, Reads.Allowed)),
        ["pages", .. var rest] => await Pages.RunAsync(Options.Parse(rest, Pages.Defaults, Pages.Allowed)),
        ["files", .. var rest] => await FileDownloads.RunAsync(rest),
        ["rebuild", .. var rest] => await Rebuild.RunAsync(Options.Parse(rest, Rebuild.Defaults, Rebuild.Allowed)),
        ["faults", .. var rest] => await Faults.RunAsync(Options.Parse(rest, Faults.Defaults, Faults.Allowed)),
        ["export", .. var rest] => await EventExports.RunAsync(Options.Parse(rest, EventExports.Defaults, EventExports.Allowed)),
        ["verify", .. var rest] => await VerifyLogs.RunAsync(rest is ["--samples", var samples] ? int.Parse(samples) : 50_000),
        ["arena", .. var rest] => ArenaFit.Run(rest),
        _ => Usage(),
    };
}
catch (Exception exception) when (exception is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine(exception.Message);
    return Usage();
}

static int Usage()
{
    Console.Error.WriteLine("""
        usage: eng/bench.sh commits   [--clients 16] [--seconds 20] [--env NAME=VALUE]...
               eng/bench.sh freshness [--rate 200] [--seconds 20] [--clients 16] [--poll-every 20] [--env NAME=VALUE]...
               eng/bench.sh reads     [--models 1000] [--connections 32] [--seconds 15] [--route native|hub] [--conditional no|yes] [--gzip no|yes] [--clients 16] [--env NAME=VALUE]...
               eng/bench.sh pages     [--models 1000] [--connections 16] [--seconds 15] [--clients 16] [--env NAME=VALUE]...
               eng/bench.sh files     [--clients 16] [--megabytes 10] [--seconds 15] [--env NAME=VALUE]...
               eng/bench.sh export    [--events 1000000] [--seconds 300] [--env NAME=VALUE]...
               eng/bench.sh verify    [--samples 50000]
               eng/bench.sh arena     [--models 200] [--battles 5000000] [--rounds 1000] [--seed 1]
               eng/faults.sh          [--faults eventbus,postgres,ingestion,verification,leaderboard-projection,gateway] [--clients 4] [--seconds 5]
               eng/bench.sh rebuild   [--events 1000000] [--benchmarks 300] [--models auto] [--repeat 1] [--daemon no|yes] [--projections A,B] [--batch-size N] [--pg NAME=VALUE]...
        """);
    return 2;
}
