using System.Text;
using System.Text.Json;
using Imr.Domain.Cases;

namespace Imr.Domain.Tests;

/// <summary>Manifests that are valid JSON but must still be refused with a reason (or accepted): issue 12's intake defects.</summary>
public class CasePackageInputTests
{
    private static string SampleJson()
    {
        var p = SampleData.Package();
        return JsonSerializer.Serialize(p with { UtilizationReview = p.UtilizationReview with { DateServed = p.UtilizationReview.DecisionDate } }, CasePackage.JsonOptions);
    }

    [Fact]
    public void A_key_given_twice_is_refused_with_its_location_even_when_the_second_one_would_pass_the_schema_alone()
    {
        // The second "worker" carries a 5,000-character name: on old main the schema checked the first, deserialisation took the last.
        var json = SampleJson();
        var second = "\"worker\": {\"name\": \"" + new string('A', 5000) + "\", \"ageYears\": 40, \"sex\": \"Male\", \"dateOfInjury\": \"2012-01-01\", \"bodyParts\": [\"back\"], \"mechanism\": \"lifting\"},";
        var doubled = json.Replace("\"worker\":", second + "\"worker\":", StringComparison.Ordinal);
        Assert.NotEqual(json, doubled);

        var result = CasePackage.Parse(Encoding.UTF8.GetBytes(doubled));

        Assert.False(result.IsAccepted);
        var reason = Assert.Single(result.Reasons);
        Assert.Equal("/worker: the key 'worker' appears more than once in the same object; each field may be given once.", reason);
        Assert.DoesNotContain("AAAA", reason); // never the value
    }

    [Fact]
    public void A_key_given_twice_inside_a_nested_object_or_array_item_is_refused()
    {
        var json = SampleJson().Replace("\"itemId\":", "\"category\": \"Surgery\", \"itemId\":", StringComparison.Ordinal);

        var result = CasePackage.Parse(Encoding.UTF8.GetBytes(json));

        Assert.False(result.IsAccepted);
        Assert.Contains("/disputedItems/0/category: the key 'category' appears more than once", Assert.Single(result.Reasons));
    }

    [Fact]
    public void An_over_long_party_name_is_refused_at_intake_with_a_reason()
    {
        var json = SampleJson().Replace("\"employer\": \"", "\"employer\": \"" + new string('E', 5000), StringComparison.Ordinal);

        var result = CasePackage.Parse(Encoding.UTF8.GetBytes(json));

        Assert.False(result.IsAccepted);
        Assert.Contains(result.Reasons, r => r.StartsWith("/employer:", StringComparison.Ordinal) && r.Contains("maxLength", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("\"employer\": \"Acme \\ud800 Corp\"", "/employer: the text is not valid UTF-16")]
    [InlineData("\"employer\": \"Acme \\udc00\"", "/employer: the text is not valid UTF-16")]
    [InlineData("\"employer\": \"Acme\", \"x\\ud800\": 1", "(manifest): property #")]
    public void An_escaped_lone_surrogate_is_refused_with_a_reason_instead_of_throwing(string replacement, string expected)
    {
        var json = System.Text.RegularExpressions.Regex.Replace(SampleJson(), "\"employer\": \"[^\"]*\"", replacement.Replace("$", "$$", StringComparison.Ordinal));

        var result = CasePackage.Parse(Encoding.UTF8.GetBytes(json));

        Assert.False(result.IsAccepted);
        Assert.Contains(result.Reasons, r => r.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void A_valid_surrogate_pair_is_text_like_any_other()
    {
        var json = System.Text.RegularExpressions.Regex.Replace(SampleJson(), "\"employer\": \"[^\"]*\"", "\"employer\": \"Acme \\ud83d\\ude00\"");

        var result = CasePackage.Parse(Encoding.UTF8.GetBytes(json));

        Assert.True(result.IsAccepted, string.Join(" | ", result.Reasons));
        Assert.Equal("Acme \U0001F600", result.Package!.Employer);
    }

    [Fact]
    public void A_manifest_with_a_utf8_byte_order_mark_is_accepted()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(SampleJson())).ToArray();

        var result = CasePackage.Parse(bytes);

        Assert.True(result.IsAccepted, string.Join(" | ", result.Reasons));
        Assert.Equal("CM13-0012345", result.Package!.CaseNumber);
    }

    [Fact]
    public void A_byte_order_mark_alone_is_an_empty_manifest()
    {
        Assert.Equal("The manifest is empty.", Assert.Single(CasePackage.Parse(Encoding.UTF8.GetPreamble()).Reasons));
    }
}
