using System.Text.Json;
using Imr.LocalRuntime;

namespace Imr.Functions.Tests;

/// <summary>
/// The published app's functions.metadata (what the Functions host in Azure reads) lists exactly the functions the
/// local runtime serves, each with the trigger it should have — so a trigger cannot silently disappear from either.
/// test.sh publishes the app and passes the folder in IMR_PUBLISHED_FUNCTIONS.
/// </summary>
public class PublishedMetadataTests
{
    private static readonly Dictionary<TriggerKind, string> BindingOf = new()
    {
        [TriggerKind.Http] = "httpTrigger",
        [TriggerKind.Blob] = "blobTrigger",
        [TriggerKind.Timer] = "timerTrigger",
        [TriggerKind.Orchestration] = "orchestrationTrigger",
        [TriggerKind.Activity] = "activityTrigger",
    };

    private static JsonElement[] PublishedFunctions()
    {
        var folder = Environment.GetEnvironmentVariable("IMR_PUBLISHED_FUNCTIONS");
        Assert.False(string.IsNullOrEmpty(folder), "IMR_PUBLISHED_FUNCTIONS is not set: run the tests with ./test.sh, which publishes the Functions app first.");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder!, "functions.metadata")));
        return doc.RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    [Fact]
    public void Published_metadata_lists_every_function_with_its_trigger()
    {
        var catalog = new FunctionCatalog(typeof(ImrServiceCollectionExtensions).Assembly);

        var published = PublishedFunctions()
            .Select(f => $"{f.GetProperty("name").GetString()}:{f.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger")).GetProperty("type").GetString()}")
            .Order(StringComparer.Ordinal);
        var served = catalog.Functions.Select(f => $"{f.Name}:{BindingOf[f.Kind]}").Order(StringComparer.Ordinal);

        Assert.Equal(served, published);
    }

    [Fact]
    public void Published_http_routes_and_blob_paths_are_the_ones_the_local_runtime_serves()
    {
        var catalog = new FunctionCatalog(typeof(ImrServiceCollectionExtensions).Assembly);
        var published = PublishedFunctions().ToDictionary(f => f.GetProperty("name").GetString()!);

        foreach (var f in catalog.OfKind(TriggerKind.Http))
        {
            var trigger = published[f.Name].GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "httpTrigger");
            Assert.Equal(f.Http.Route, trigger.GetProperty("route").GetString());
            Assert.Equal(f.Http.Methods!.Select(m => m.ToLowerInvariant()), trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!.ToLowerInvariant()));
        }

        var blob = published["IntakeFromBlob"].GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "blobTrigger");
        Assert.Equal("intake/{name}", blob.GetProperty("path").GetString());
        // The default of the MSBuild property IntakeBlobTriggerSource: Flex Consumption has no polling blob trigger.
        Assert.Equal("EventGrid", blob.GetProperty("source").GetString());
        var roster = published["RosterFromBlob"].GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "blobTrigger");
        Assert.Equal("roster/{name}", roster.GetProperty("path").GetString());
        Assert.Equal("EventGrid", roster.GetProperty("source").GetString());
    }

    [Fact]
    public void The_published_app_carries_the_repository_host_json()
    {
        var folder = Environment.GetEnvironmentVariable("IMR_PUBLISHED_FUNCTIONS")!;
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "ImrFunctions.sln"))) root = Path.GetDirectoryName(root)!;

        Assert.Equal(File.ReadAllText(Path.Combine(root, "host.json")), File.ReadAllText(Path.Combine(folder, "host.json")));
    }
}
