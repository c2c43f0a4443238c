using System.Globalization;
using System.Text;
using System.Text.Json;
using CommunityEvals.Web.Gateway;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CommunityEvals.Web.Pages.Models;

/// <summary>
/// Writes one <c>.eval_results</c> item from a form and commits it: to <c>main</c> (the owner) or as a
/// pull request (anyone signed in). The API's validation errors are shown at their line and field.
/// </summary>
public sealed class NewResultPage(GatewayApi api, Visitor visitor) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string Org { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string Name { get; set; } = "";

    [BindProperty]
    public ResultForm Form { get; set; } = new();

    public string Id => $"{Org}/{Name}";

    public IReadOnlyList<(string Benchmark, IReadOnlyList<string> Tasks)> Benchmarks { get; private set; } = [];

    public string? Yaml { get; private set; }

    public string? Error { get; private set; }

    public IReadOnlyList<JsonElement> Errors { get; private set; } = [];

    public string? SignedInAs { get; private set; }

    public sealed class ResultForm
    {
        public string Benchmark { get; set; } = "";

        public string TaskId { get; set; } = "";

        public string Value { get; set; } = "";

        public string? SourceUrl { get; set; }

        public string? SourceName { get; set; }

        public string? Notes { get; set; }

        public string FileName { get; set; } = "results";

        /// <summary><c>main</c> or <c>pr</c>.</summary>
        public string Target { get; set; } = "pr";
    }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        return SignedInAs is null ? Redirect($"/login?returnUrl=/{Id}/new-result") : Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        Yaml = ToYaml(Form);
        var path = $".eval_results/{Form.FileName.Trim()}.yaml";
        var header = new { key = "header", value = new { summary = $"Add a result on {Form.Benchmark}/{Form.TaskId}" } };
        var file = new { key = "file", value = new { path, content = Convert.ToBase64String(Encoding.UTF8.GetBytes(Yaml)), encoding = "base64" } };
        var body = JsonSerializer.Serialize(header) + "\n" + JsonSerializer.Serialize(file) + "\n";
        var query = Form.Target == "main" ? "" : "?create_pr=1";
        var answer = await api.PostAsync($"/api/models/{Uri.EscapeDataString(Org)}/{Uri.EscapeDataString(Name)}/commit/main{query}",
            new StringContent(body, Encoding.UTF8, "application/x-ndjson"), cancellationToken);
        if (answer.Ok)
        {
            var pullRequest = answer.Json().TryGetProperty("pullRequestUrl", out var url) && url.ValueKind == JsonValueKind.String ? url.GetString() : null;
            return Redirect(pullRequest is not null && Uri.TryCreate(pullRequest, UriKind.Absolute, out var pr) ? pr.AbsolutePath : $"/{Id}");
        }

        Error = answer.Problem;
        Errors = answer.Errors;
        Response.StatusCode = answer.Status;
        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        SignedInAs = await visitor.NameAsync();
        var list = await api.GetAsync("/api/datasets?filter=benchmark", cancellationToken);
        if (!list.Ok)
        {
            return;
        }

        var ids = list.Json().EnumerateArray().Select(b => Format.Text(b, "id")).OfType<string>().Order(StringComparer.Ordinal).Take(200).ToList();
        var answers = await Task.WhenAll(ids.Select(id => api.GetAsync($"/api/benchmarks/{id}", cancellationToken)));
        Benchmarks = [.. ids.Zip(answers, (id, benchmark) => (id, (IReadOnlyList<string>)(benchmark.Ok && benchmark.Json().TryGetProperty("tasks", out var tasks)
            ? [.. tasks.EnumerateArray().Select(task => Format.Text(task, "id")).OfType<string>()]
            : [])))];
    }

    /// <summary>
    /// The item as YAML. Strings are written as JSON strings, which YAML reads as double-quoted
    /// scalars, so nothing typed into the form can add keys or lines; a value that is a number is
    /// written as typed (its decimals matter to verification), anything else quoted, for the API to refuse.
    /// </summary>
    public static string ToYaml(ResultForm form)
    {
        static string Quoted(string text) => JsonSerializer.Serialize(text.Trim());
        var value = form.Value.Trim();
        var number = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _) && !value.Contains(' ') ? value : Quoted(value);
        var yaml = new StringBuilder()
            .Append("- dataset:\n")
            .Append("    id: ").Append(Quoted(form.Benchmark)).Append('\n')
            .Append("    task_id: ").Append(Quoted(form.TaskId)).Append('\n')
            .Append("  value: ").Append(number).Append('\n');
        if (!string.IsNullOrWhiteSpace(form.SourceUrl))
        {
            yaml.Append("  source:\n    url: ").Append(Quoted(form.SourceUrl)).Append('\n');
            if (!string.IsNullOrWhiteSpace(form.SourceName))
            {
                yaml.Append("    name: ").Append(Quoted(form.SourceName)).Append('\n');
            }
        }

        if (!string.IsNullOrWhiteSpace(form.Notes))
        {
            yaml.Append("  notes: ").Append(Quoted(form.Notes)).Append('\n');
        }

        return yaml.ToString();
    }
}
