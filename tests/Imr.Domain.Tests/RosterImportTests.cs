using System.Text;
using Imr.Domain.Reviewers;

namespace Imr.Domain.Tests;

public class RosterImportTests
{
    private const string Header = "reviewerId,name,email,specialties,boardCertifications,licensedStates,yearsInPractice,activePracticeHoursPerWeek,affiliations,capacity,active,timeZone";

    private static (IReadOnlyList<Reviewer> Reviewers, IReadOnlyList<RosterRowProblem> Problems) Csv(params string[] rows) =>
        RosterImport.Parse("roster.csv", Encoding.UTF8.GetBytes(string.Join("\r\n", [Header, .. rows])));

    [Fact]
    public void A_csv_row_becomes_a_reviewer_with_lists_affiliations_by_kind_and_time_zone()
    {
        var (reviewers, problems) = Csv("rev-9,\"Dr. Pat Doe, MD\",pat@example.test,Orthopedic Surgery;Orthopedic Spine Surgery,Orthopedic Surgery,California;Texas,12,30,\"Employer:Acme, Inc.;Family:Sample Worker\",4,true,America/New_York");

        Assert.Empty(problems);
        var r = Assert.Single(reviewers);
        Assert.Equal("Dr. Pat Doe, MD", r.Name);
        Assert.Equal(["Orthopedic Surgery", "Orthopedic Spine Surgery"], r.Specialties);
        Assert.Equal([new Affiliation(AffiliationKind.Employer, "Acme, Inc."), new Affiliation(AffiliationKind.Family, "Sample Worker")], r.Affiliations);
        Assert.Equal(("America/New_York", 4, 30), (r.TimeZone, r.Capacity, r.ActivePracticeHoursPerWeek));
    }

    [Fact]
    public void Every_bad_row_is_reported_with_its_row_number_and_reasons()
    {
        var (reviewers, problems) = Csv(
            "rev-1,Dr. A,a@example.test,Psychiatry,Psychiatry,California,10,30,,10,true,America/Los_Angeles",
            "rev 2,,not-an-email,,,California,ten,30,Cousin:Someone,-1,maybe,Mars/Olympus",
            "rev-1,Dr. A again,a2@example.test,Psychiatry,Psychiatry,California,10,30,,10,true,");

        Assert.Single(reviewers);
        Assert.Equal([3, 4], problems.Select(p => p.Row));
        var bad = problems[0].Reasons;
        Assert.Contains(bad, r => r.StartsWith("reviewerId:"));
        Assert.Contains(bad, r => r.StartsWith("name:"));
        Assert.Contains(bad, r => r.StartsWith("email:"));
        Assert.Contains(bad, r => r.StartsWith("specialties:"));
        Assert.Contains(bad, r => r.StartsWith("yearsInPractice: 'ten'"));
        Assert.Contains(bad, r => r.StartsWith("affiliations: 'Cousin:Someone'"));
        Assert.Contains(bad, r => r.StartsWith("capacity:"));
        Assert.Contains(bad, r => r.StartsWith("active: 'maybe'"));
        Assert.Contains(bad, r => r.StartsWith("timeZone: 'Mars/Olympus'"));
        Assert.Equal(["reviewerId: 'rev-1' appears more than once."], problems[1].Reasons);
    }

    [Fact]
    public void A_header_with_a_missing_or_unknown_column_is_refused()
    {
        var (reviewers, problems) = RosterImport.Parse("r.csv", Encoding.UTF8.GetBytes("reviewerId,name,specialties,favouriteColour\nrev-1,Dr. A,Psychiatry,blue"));

        Assert.Empty(reviewers);
        Assert.Equal(["header: column 'email' is missing.", "header: unknown column 'favouriteColour' (known: " + string.Join(", ", RosterImport.CsvColumns) + ")."], Assert.Single(problems).Reasons);
    }

    [Fact]
    public void Json_is_read_and_invalid_json_is_reported()
    {
        var json = """[{"reviewerId":"rev-5","name":"Dr. E","email":"e@example.test","specialties":["Psychiatry"],"boardCertifications":["Psychiatry"],"licensedStates":["California"],"yearsInPractice":3,"activePracticeHoursPerWeek":40,"affiliations":[{"kind":"Facility","name":"Clinic X"}],"timeZone":"America/Chicago"}]""";

        var (reviewers, problems) = RosterImport.Parse("roster.json", Encoding.UTF8.GetBytes(json));
        var (_, broken) = RosterImport.Parse("roster.json", Encoding.UTF8.GetBytes("[{\"reviewerId\":"));

        Assert.Empty(problems);
        Assert.Equal(new Affiliation(AffiliationKind.Facility, "Clinic X"), Assert.Single(Assert.Single(reviewers).Affiliations));
        Assert.StartsWith("Not a valid roster", Assert.Single(Assert.Single(broken).Reasons));
    }

    [Fact]
    public void The_report_says_what_is_added_updated_and_unchanged_and_applies_nothing_when_a_row_is_bad()
    {
        var stored = new[] { SampleData.Reviewer("a"), SampleData.Reviewer("b") };
        var incoming = new[] { SampleData.Reviewer("a"), SampleData.Reviewer("b", x => x.Capacity = 3) with { TimeZone = "America/Chicago" }, SampleData.Reviewer("c") };

        var report = RosterImport.Compare(incoming, [], stored);
        var refused = RosterImport.Compare(incoming, [new RosterRowProblem(5, "d", ["name: required."])], stored);

        Assert.True(report.Applied);
        Assert.Equal((1, 1, 1), (report.Added, report.Updated, report.Unchanged));
        Assert.Equal(["capacity", "timeZone"], report.Changes.Single(c => c.ReviewerId == "b").Fields);
        Assert.False(refused.Applied);
    }
}
