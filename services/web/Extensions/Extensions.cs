using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Extensions.WebEncoders;
using CommunityEvals.Web.Gateway;

namespace Microsoft.Extensions.Hosting;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddRazorPages();
        // A board page of 1,000 rows is about a megabyte of HTML and under a tenth of it compressed (eng/bench.sh pages).
        builder.Services.AddResponseCompression();
        builder.Services.Configure<GzipCompressionProviderOptions>(options => options.Level = System.IO.Compression.CompressionLevel.Fastest);
        // Text as it is, not as numeric entities: names and notes in any script read the same in the
        // source and stay short (HTML's special characters are still encoded).
        builder.Services.Configure<WebEncoderOptions>(options => options.TextEncoderSettings = new TextEncoderSettings(UnicodeRanges.All));
        builder.Services.AddHttpContextAccessor();
        // Pages read and write through the gateway's public API, as the caller, like any client:
        // they see exactly what that caller may see, and never open the database.
        builder.Services.AddScoped<Visitor>();
        builder.Services.AddHttpClient<GatewayApi>(client =>
        {
            client.BaseAddress = new Uri(builder.Configuration["Gateway:Url"] ?? "http://gateway");
            client.Timeout = TimeSpan.FromSeconds(30);
        });
    }
}
