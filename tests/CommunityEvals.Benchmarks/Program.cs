// Rerunnable benchmarks against the whole stack on this machine (private PostgreSQL and
// RabbitMQ, the AppHost running the services): `eng/bench.sh <name> [options]`.
using CommunityEvals.Benchmarks;

return args switch
{
    ["commits", .. var rest] => await CommitThroughput.RunAsync(Options.Parse(rest)),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: eng/bench.sh commits [--clients 16] [--seconds 20]");
    return 2;
}
