using CommunityEvals.Web.Gateway;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseResponseCompression();
app.UseExceptionHandler("/settings/error/500");
app.UseStatusCodePagesWithReExecute("/settings/error/{0}");
app.MapDefaultEndpoints();
// From wwwroot under the content root (the project folder, where the AppHost runs it), in any environment.
app.UseStaticFiles();
app.MapRazorPages();
// A dataset's files for signed-in visitors: the pages' session is a cookie, the file routes take a
// bearer token, so the download goes through here with the visitor's token (never a copy in memory).
app.MapGet("/datasets/{org}/{name}/download/{**path}", (string org, string name, string path, GatewayApi api, HttpContext context) =>
    api.StreamAsync($"/datasets/{Uri.EscapeDataString(org)}/{Uri.EscapeDataString(name)}/resolve/main/{string.Join('/', path.Split('/').Select(Uri.EscapeDataString))}",
        context.Response, context.RequestAborted));

app.Run();
