// README's .NET examples:
//   dotnet run --project examples/dotnet -- watch-scores amqp://guest:PASSWORD@127.0.0.1:PORT [--count N]
//   dotnet run --project examples/dotnet -- check-token http://127.0.0.1:5080 TOKEN MODEL DATASET TASK VALUE
using System.Globalization;
using CommunityEvals.Examples;

return args switch
{
    ["watch-scores", var amqpUri, .. var rest] => await ScoreChangeWatcher.RunAsync(new Uri(amqpUri), rest is ["--count", var n] ? int.Parse(n, CultureInfo.InvariantCulture) : null),
    ["check-token", var gateway, var token, var model, var dataset, var taskId, var value] =>
        await TokenCheck.RunAsync(new Uri(gateway), token, model, dataset, taskId, double.Parse(value, CultureInfo.InvariantCulture)),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: watch-scores <amqp-uri> [--count N] | check-token <gateway> <token> <model> <dataset> <task> <value>");
    return 2;
}
