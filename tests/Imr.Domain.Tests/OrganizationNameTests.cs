using System.Text;
using Imr.Domain.Reviewers;

namespace Imr.Domain.Tests;

public class OrganizationNameTests
{
    public static TheoryData<string, string> SameOrganization => new()
    {
        // the case: the roster's short name and the package's full legal name
        { "Golden State Mutual", "Golden State Mutual Insurance Company" },
        { "Golden State Mutual", "GOLDEN STATE MUTUAL INS. CO." },
        { "Golden State Mutual", "The Golden State Mutual Insurance Company, Inc." },
        { "Golden State Mutual", "  golden   state mutual  " },
        { "Golden State Mutual", "Golden-State Mutual" },
        { "Golden State Mutual", "Golden State Mutual Insurance Company of America" },
        { "Golden State Mutual", "Golden State Mutual Holdings, LLC" },
        { "Golden State Mutual", "Golden State Mutual Group" },
        { "Smith & Jones", "Smith and Jones, L.L.P." },
        { "Acme", "Acme, Inc." },
        { "Acme", "ACME INCORPORATED" },
        { "Acme", "Acme Corp." },
        { "Acme", "Acme Corporation" },
        { "Acme", "Acme Co" },
        { "Acme", "Acme Company" },
        { "Acme", "Acme Ltd" },
        { "Acme", "Acme Limited" },
        { "Acme", "Acme L.L.C." },
        { "Acme", "Acme PLLC" },
        { "Acme", "Acme, P.C." },
        { "Sample Claims", "Sample Claims Services" },
        { "Sample Claims Administrators", "Sample Claims Admin., Inc." },
        { "Farmer's Union", "Farmers Union Insurance" },
        { "Café Médical", "Cafe Medical" },
        { "State Compensation Insurance Fund", "State Compensation Fund" },
        { "Insurance Company of the West", "Insurance Co. of the West" },
        { "The Hartford", "Hartford" },
    };

    [Theory]
    [MemberData(nameof(SameOrganization))]
    public void Variants_of_one_organisation_normalise_equal(string a, string b)
    {
        Assert.Equal(OrganizationName.Normalize(a), OrganizationName.Normalize(b));
        Assert.Equal(NameMatch.Same, OrganizationName.Compare(a, b));
        Assert.Equal(NameMatch.Same, OrganizationName.Compare(b, a));
    }

    public static TheoryData<string, string> CloseButNotEqual => new()
    {
        { "Golden State", "Golden State Mutual" },                 // one name contains the other
        { "Golden State", "Golden State Mutual Insurance Company" },
        { "Zenith", "Zenith National Insurance" },
        { "Mutual Golden State", "Golden State Mutual" },          // same words, another order
        { "Golden State Mutal", "Golden State Mutual" },           // a letter left out
        { "Golden Sttae Mutual", "Golden State Mutual" },          // two letters swapped
        { "GoldenState Mutual", "Golden State Mutual" },           // words run together
        { "Pacific Coast Surgical Group", "Pacific Coast Surgical Center" },
    };

    [Theory]
    [MemberData(nameof(CloseButNotEqual))]
    public void Close_but_not_equal_names_are_similar_both_ways(string a, string b)
    {
        Assert.NotEqual(OrganizationName.Normalize(a), OrganizationName.Normalize(b));
        Assert.Equal(NameMatch.Similar, OrganizationName.Compare(a, b));
        Assert.Equal(NameMatch.Similar, OrganizationName.Compare(b, a));
    }

    public static TheoryData<string, string> DifferentOrganizations => new()
    {
        { "Golden State Mutual", "Golden Gate Mutual" },           // two letters apart: another company
        { "Golden State Mutual", "Golden State Medical" },
        { "State Fund", "State Farm" },
        { "Acme", "Acne" },                                        // one letter, but too short to call it a slip
        { "Acme Corp", "Apex Corp" },
        { "Blue Shield of California", "Blue Cross of California" },
        { "Liberty Mutual", "Liberty Medical Group" },
        { "Kaiser Permanente", "Kaiser Foundation Hospitals" },
        { "Insurance Company of the West", "Insurance Company of the East" },
        { "Sample Manufacturing Co.", "Sample Claims Services" },
    };

    [Theory]
    [MemberData(nameof(DifferentOrganizations))]
    public void Different_organisations_stay_different(string a, string b)
    {
        Assert.Equal(NameMatch.Different, OrganizationName.Compare(a, b));
        Assert.Equal(NameMatch.Different, OrganizationName.Compare(b, a));
    }

    [Theory]
    [InlineData("Golden State Mutual Insurance Company", "golden state mutual")]
    [InlineData("The Company", "company")]                        // the first word is never dropped
    [InlineData("Insurance Services Group, Inc.", "insurance")]
    [InlineData("Liberty Mutual", "liberty mutual")]              // "Mutual" tells insurers apart: kept
    [InlineData("Smith & Co.", "smith")]                           // "and" left dangling is dropped with the suffix
    [InlineData("Bank of America", "bank of america")]             // "of America" goes only when two words or more remain
    [InlineData("Travelers Insurance Company of America", "travelers")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void Normal_forms_are_documented(string? name, string expected)
    {
        Assert.Equal(expected, OrganizationName.Normalize(name));
    }

    [Fact]
    public void Empty_names_match_nothing()
    {
        Assert.Equal(NameMatch.Different, OrganizationName.Compare("", ""));
        Assert.Equal(NameMatch.Different, OrganizationName.Compare("Acme", "  "));
        Assert.Equal(NameMatch.Different, OrganizationName.Compare("The", "of"));
    }
}

public class RosterAliasTests
{
    [Fact]
    public void Json_aliases_are_read_and_a_reimport_with_the_same_aliases_is_unchanged()
    {
        const string json = """
            [{"reviewerId":"r1","name":"Dr. One","email":"r1@example.test","specialties":["Orthopedic Surgery"],
              "boardCertifications":["Orthopedic Surgery"],"licensedStates":["California"],"yearsInPractice":5,"activePracticeHoursPerWeek":30,
              "affiliations":[{"kind":"ClaimsAdministrator","name":"Golden State Mutual","aliases":["GSM","Golden State Holdings"]},
                              {"kind":"Employer","name":"Acme","aliases":null}]}]
            """;

        var (first, problems) = RosterImport.Parse("roster.json", Encoding.UTF8.GetBytes(json));
        var (second, _) = RosterImport.Parse("roster.json", Encoding.UTF8.GetBytes(json));

        Assert.Empty(problems);
        var tie = first.Single().Affiliations[0];
        Assert.Equal(["GSM", "Golden State Holdings"], tie.Aliases);
        Assert.Empty(first.Single().Affiliations[1].Aliases);
        Assert.Equal("unchanged", Assert.Single(RosterImport.Compare(second, [], first).Changes).Change);
        var changed = second.Single() with { Affiliations = [tie with { Aliases = ["GSM"] }, second.Single().Affiliations[1]] };
        Assert.Equal(["affiliations"], Assert.Single(RosterImport.Compare([changed], [], first).Changes).Fields);
    }

    [Fact]
    public void Aliases_survive_the_stored_form_and_nothing_derived_is_stored()
    {
        var reviewer = SampleData.Reviewer("r1") with { Affiliations = [new Affiliation(AffiliationKind.Insurer, "Golden State Mutual") { Aliases = ["GSM"] }] };

        var json = System.Text.Json.JsonSerializer.Serialize(reviewer, Imr.Domain.Cases.CasePackage.JsonOptions);
        var back = System.Text.Json.JsonSerializer.Deserialize<Reviewer>(json, Imr.Domain.Cases.CasePackage.JsonOptions)!;

        Assert.Equal(reviewer.Affiliations, back.Affiliations);
        Assert.DoesNotContain("\"names\"", json);
        Assert.DoesNotContain("isOrganization", json);
    }

    [Fact]
    public void Csv_aliases_follow_the_name_after_a_bar_and_empty_aliases_are_refused()
    {
        const string csv = "reviewerId,name,email,specialties,affiliations\n" +
                           "r1,Dr. One,r1@example.test,Orthopedic Surgery,ClaimsAdministrator:Golden State Mutual|GSM|Golden State Holdings;Employer:Acme\n" +
                           "r2,Dr. Two,r2@example.test,Orthopedic Surgery,Employer:Acme||\n";

        var (reviewers, problems) = RosterImport.Parse("roster.csv", Encoding.UTF8.GetBytes(csv));

        var r1 = Assert.Single(reviewers);
        Assert.Equal(new Affiliation(AffiliationKind.ClaimsAdministrator, "Golden State Mutual") { Aliases = ["GSM", "Golden State Holdings"] }, r1.Affiliations[0]);
        Assert.Equal(new Affiliation(AffiliationKind.Employer, "Acme"), r1.Affiliations[1]);
        var problem = Assert.Single(problems);
        Assert.Equal("r2", problem.ReviewerId);
        Assert.Contains("affiliations: an alias cannot be empty.", problem.Reasons);
    }
}
