using System.Text.Json.Nodes;

namespace CommunityEvals.Formats;

/// <summary>What a model's README.md front matter says that matters here (FORMATS.md section 3).</summary>
/// <param name="BaseModels">From <c>base_model</c> (a string or a list); empty when the model is not a fine-tune.</param>
/// <param name="Results">One per <c>model-index</c> metric that maps onto a registered benchmark task.</param>
/// <param name="FrontMatter">The whole front matter as JSON (the Hub's <c>cardData</c>); null without front matter.</param>
public sealed record ModelCard(
    IReadOnlyList<string> BaseModels,
    IReadOnlyList<ResultItem> Results,
    JsonObject? FrontMatter);
