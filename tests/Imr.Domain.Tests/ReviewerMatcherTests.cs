using Imr.Domain.Reviewers;

namespace Imr.Domain.Tests;

public class ReviewerMatcherTests
{
    private readonly ReviewerMatcher _matcher = new(SpecialtyMap.Default, new MatchingRules());
    private static readonly IReadOnlySet<string> None = new HashSet<string>();
    private static readonly Dictionary<string, int> NoLoad = [];

    [Fact]
    public void Skips_a_reviewer_affiliated_with_the_claims_administrator_and_says_why()
    {
        var roster = new[] { SampleData.Reviewer("a", b => b.Affiliations = ["Sample Claims Services"]), SampleData.Reviewer("b") };

        var result = _matcher.Match(SampleData.Package(), roster, None, NoLoad);

        Assert.Equal("b", result.Selected?.ReviewerId);
        Assert.Equal("affiliated with a party to the case", result.Verdicts.Single(v => v.ReviewerId == "a").Reason);
    }

    [Theory]
    [InlineData("specialty", "no specialty suited to every disputed item")]
    [InlineData("hours", "fewer than 24 hours a week of active practice")]
    [InlineData("inactive", "inactive")]
    [InlineData("capacity", "at capacity")]
    [InlineData("excluded", "declined or timed out on this case")]
    [InlineData("ur-reviewer", "affiliated with a party to the case")]
    public void Each_disqualification_has_its_reason(string kind, string reason)
    {
        var reviewer = SampleData.Reviewer("x", b =>
        {
            if (kind == "specialty") b.Specialties = ["Psychiatry"];
            if (kind == "hours") b.Hours = 10;
            if (kind == "inactive") b.Active = false;
            if (kind == "capacity") b.Capacity = 1;
            if (kind == "ur-reviewer") b.Affiliations = ["Dr. Robin Review"];
        });
        var excluded = kind == "excluded" ? new HashSet<string> { "x" } : new HashSet<string>();
        var load = new Dictionary<string, int> { ["x"] = 1 };

        var result = _matcher.Match(SampleData.Package(), [reviewer], excluded, load);

        Assert.Null(result.Selected);
        Assert.Equal(reason, Assert.Single(result.Verdicts).Reason);
    }

    [Fact]
    public void Prefers_the_least_loaded_then_the_lowest_id()
    {
        var roster = new[] { SampleData.Reviewer("a"), SampleData.Reviewer("b"), SampleData.Reviewer("c") };

        Assert.Equal("b", _matcher.Match(SampleData.Package(), roster, None, new Dictionary<string, int> { ["a"] = 3, ["b"] = 1, ["c"] = 1 }).Selected?.ReviewerId);
        Assert.Equal("a", _matcher.Match(SampleData.Package(), roster, None, NoLoad).Selected?.ReviewerId);
    }

    [Fact]
    public void Every_disputed_item_needs_a_suited_specialty()
    {
        var package = SampleData.Package(items => items.Add(new Cases.DisputedItem { ItemId = "PSY", Description = "6 psychotherapy sessions", Category = "Psychological", BodyPart = "psyche" }));

        var result = _matcher.Match(package, [SampleData.Reviewer("ortho")], None, NoLoad);

        Assert.Null(result.Selected);
    }
}
