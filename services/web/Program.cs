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

app.Run();
