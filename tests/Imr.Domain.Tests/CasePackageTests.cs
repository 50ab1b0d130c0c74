using System.Text;
using System.Text.Json;
using Imr.Domain.Cases;

namespace Imr.Domain.Tests;

public class CasePackageTests
{
    // The contract requires the date of service; packages built in code leave it out unless a test sets it.
    private static byte[] Json(CasePackage p) => JsonSerializer.SerializeToUtf8Bytes(
        p.UtilizationReview.DateServed is null ? p with { UtilizationReview = p.UtilizationReview with { DateServed = p.UtilizationReview.DecisionDate } } : p,
        CasePackage.JsonOptions);

    [Fact]
    public void A_valid_manifest_parses()
    {
        var result = CasePackage.Parse(Json(SampleData.Package()));

        Assert.True(result.IsAccepted, string.Join(" ", result.Reasons));
        Assert.Equal("CM13-0012345", result.Package!.CaseNumber);
    }

    [Fact]
    public void The_sample_case_manifest_in_the_repository_is_valid()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "ImrFunctions.sln"))) root = Path.GetDirectoryName(root)!;

        var result = CasePackage.Parse(File.ReadAllBytes(Path.Combine(root, "samples", "sample-case", "CM13-0012345", "manifest.json")));

        Assert.True(result.IsAccepted, string.Join(" ", result.Reasons));
    }

    [Fact]
    public void Malformed_json_gives_a_reason_with_its_location()
    {
        var result = CasePackage.Parse(Encoding.UTF8.GetBytes("{\"caseNumber\": \"CM1\", \"worker\": "));

        Assert.False(result.IsAccepted);
        Assert.Contains("not well-formed JSON (line 1", Assert.Single(result.Reasons));
    }

    [Fact]
    public void Domain_rules_each_give_a_specific_reason()
    {
        var bad = SampleData.Package(items =>
        {
            items.Add(items[0]);
            items.Add(new DisputedItem { ItemId = "../x", Description = "", Category = "Surgery", BodyPart = "knee" });
        }) with
        { CaseNumber = "bad/number", ApplicationDate = new DateOnly(2013, 1, 1) };

        var reasons = bad.Validate();

        Assert.Contains(reasons, r => r.StartsWith("caseNumber:"));
        Assert.Contains(reasons, r => r.Contains("appears more than once"));
        Assert.Contains(reasons, r => r.Contains("must be 1-40 letters"));
        Assert.Contains(reasons, r => r.Contains("a description of the treatment is required"));
        Assert.Contains(reasons, r => r.StartsWith("applicationDate:"));
    }

    [Fact]
    public void No_disputed_items_is_refused()
    {
        var reasons = SampleData.Package(items => items.Clear()).Validate();

        Assert.Equal(["disputedItems: at least one disputed item is required."], reasons);
    }

    [Theory]
    [InlineData("CM13-0012345", true)]
    [InlineData("cm13-0012345", true)]
    [InlineData("../etc", false)]
    [InlineData("a", false)]
    [InlineData("CM13 001", false)]
    public void Case_numbers_are_safe_for_blob_names_keys_and_urls(string text, bool valid)
    {
        Assert.Equal(valid, CaseNumber.TryParse(text, out var n));
        if (valid) Assert.Equal("case-" + text.ToUpperInvariant(), n.OrchestrationInstanceId);
    }
}
