using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Extensions.WebEncoders;
using CommunityEvals.Platform.Identity;
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
        // Signs the visitor's address on the API calls made for them (GatewayApi): the gateway then
        // limits an anonymous visitor's calls by their own address, not by this service's.
        builder.Services.AddSingleton(GatewayIdentity.FromConfiguration(builder.Configuration, TimeProvider.System));
#pragma warning disable EXTEXP0001
        builder.Services.AddHttpClient<GatewayApi>(client =>
        {
            client.BaseAddress = new Uri(builder.Configuration["Gateway:Url"] ?? "http://gateway");
            client.Timeout = TimeSpan.FromSeconds(30);
        })
            // Not the defaults' retries and circuit breaker: the gateway's answers are each visitor's
            // own (a 429 for one address, a 503 with Retry-After), so a retry would only add load, and
            // one visitor's refusals would open the circuit and fail every other visitor's pages.
            // (Marked for evaluation, and the one way to take the defaults off a single client.)
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
    }
}
