using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CommunityEvals.Platform.Http;

public static class SingleValuedQuery
{
    /// <summary>
    /// Answers 400 when a query parameter is given more than once, except the list parameters named
    /// (in either spelling, <c>key</c> or Python's <c>key[]</c>). Routes read one value of the rest,
    /// and taking the first of two limits or times silently answers a question nobody asked.
    /// </summary>
    public static IApplicationBuilder UseSingleValuedQuery(this IApplicationBuilder app, params string[] listKeys)
    {
        var lists = listKeys.Concat(listKeys.Select(key => key + "[]")).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return app.Use(async (context, next) =>
        {
            foreach (var (key, values) in context.Request.Query)
            {
                if (values.Count > 1 && !lists.Contains(key))
                {
                    await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, "Bad request",
                        $"The query parameter '{key}' was given {values.Count} times; give it once.");
                    return;
                }
            }

            await next(context);
        });
    }
}
