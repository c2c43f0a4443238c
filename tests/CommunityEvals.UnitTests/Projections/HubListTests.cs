using CommunityEvals.LeaderboardProjection.Shared;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace CommunityEvals.UnitTests.Projections;

/// <summary>How the Hub's list routes (datasets, models) read <c>limit</c>, <c>sort</c> and <c>direction</c>.</summary>
public class HubListTests
{
    private static IQueryCollection Query(params (string Key, string Value)[] values) =>
        new QueryCollection(values.ToDictionary(v => v.Key, v => new StringValues(v.Value)));

    private static readonly (string Id, string Created, string Modified)[] Items =
    [
        ("b", "2026-01-02T00:00:00.000Z", "2026-03-01T00:00:00.000Z"),
        ("a", "2026-01-03T00:00:00.000Z", "2026-02-01T00:00:00.000Z"),
        ("c", "2026-01-01T00:00:00.000Z", "2026-04-01T00:00:00.000Z"),
    ];

    private static string Order(IQueryCollection query) =>
        string.Concat(HubFormat.SortByTime(Items, query, item => item.Created, item => item.Modified).Select(item => item.Id));

    [Fact]
    public void Lists_sort_by_a_time_newest_first_unless_direction_is_1_and_otherwise_stay_as_given()
    {
        Assert.Equal("cba", Order(Query(("sort", "lastModified"))));
        Assert.Equal("abc", Order(Query(("sort", "lastModified"), ("direction", "1"))));
        Assert.Equal("abc", Order(Query(("sort", "createdAt"))));
        Assert.Equal("cba", Order(Query(("sort", "createdAt"), ("direction", "1"))));
        Assert.Equal("bac", Order(Query(("sort", "likes"))));
        Assert.Equal("bac", Order(Query()));
    }

    [Theory]
    [InlineData("5", 5, false)]
    [InlineData("", null, false)]
    [InlineData("0", null, true)]
    [InlineData("-3", null, true)]
    [InlineData("many", null, true)]
    public void A_limit_is_a_positive_integer(string text, int? limit, bool refused)
    {
        var (read, problem) = HubFormat.Limit(text.Length == 0 ? Query() : Query(("limit", text)));

        Assert.Equal(limit, read);
        Assert.Equal(refused, problem is not null);
    }
}
