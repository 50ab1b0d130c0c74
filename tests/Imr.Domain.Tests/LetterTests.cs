using System.Text.RegularExpressions;
using Imr.Domain.Determinations;
using Imr.Domain.Letters;

namespace Imr.Domain.Tests;

public class LetterTests
{
    private static readonly IssuingOrganization Maximus = new("MAXIMUS Federal Services", "MAXIMUS");

    private static string Render(DecisionOutcome outcome = DecisionOutcome.Upheld) =>
        LetterTextRenderer.Render(LetterComposer.Compose(Maximus, SampleData.Package(), SampleData.Determination(outcome), SampleData.Reviewer("rev-002"), new DateOnly(2013, 7, 15)));

    private static string Normalize(string s) => Regex.Replace(s, @"\s+", " ").Trim();

    [Fact]
    public void The_letter_has_the_sections_of_the_sample_in_order()
    {
        var text = Render();

        var positions = new[] { LetterTextRenderer.HowMadeHeading, LetterTextRenderer.SummaryHeading, LetterTextRenderer.IssuesHeading }.Select(h => text.IndexOf(h, StringComparison.Ordinal)).ToList();
        Assert.All(positions, p => Assert.True(p >= 0));
        Assert.Equal(positions.Order(), positions);
        Assert.Contains("12 Physical Therapy sessions for the lumbar spine:  Upheld", text);
        Assert.Contains("MAXIMUS guideline: Decision based on MTUS Chronic Pain Treatment Guidelines Physical Medicine Page(s): 98-99.", text);
    }

    [Fact]
    public void The_qualifications_paragraph_matches_the_sample_and_never_names_the_reviewer()
    {
        var text = Normalize(Render());

        Assert.Contains(Normalize("""
            MAXIMUS Federal Services sent the complete case file to an expert reviewer. He/she has no
            affiliation with the employer, employee, providers or the claims administrator. The expert
            reviewer is Board Certified in Orthopedic Spine Surgery and is licensed to practice in Texas.
            He/she has been in active clinical practice for more than five years and is currently working at
            least 24 hours a week in active practice.
            """), text);
        Assert.DoesNotContain("Dr. rev-002", text);
    }

    [Fact]
    public void An_overturned_item_tells_the_claims_administrator_to_authorize_within_5_working_days()
    {
        Assert.Contains("must authorize this treatment within 5 working days", Render(DecisionOutcome.Overturned));
        Assert.Contains("Workers' Compensation Appeals Board within 30 days", Render());
    }

    [Fact]
    public void The_same_determination_renders_the_same_text()
    {
        Assert.Equal(Render(), Render());
    }

    [Fact]
    public void An_incomplete_determination_cannot_become_a_letter()
    {
        var incomplete = SampleData.Determination() with { ClinicalCaseSummary = " " };

        var problems = incomplete.Check(SampleData.Package());

        Assert.Equal(["The clinical case summary is missing."], problems);
        Assert.Throws<InvalidOperationException>(() => LetterComposer.Compose(Maximus, SampleData.Package(), incomplete, SampleData.Reviewer("r"), new DateOnly(2013, 7, 15)));
    }
}
