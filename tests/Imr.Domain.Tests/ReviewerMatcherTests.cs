using Imr.Domain.Cases;
using Imr.Domain.Reviewers;

namespace Imr.Domain.Tests;

public class ReviewerMatcherTests
{
    private readonly ReviewerMatcher _matcher = new(SpecialtyMap.Default, new MatchingRules());
    private static readonly IReadOnlySet<string> None = new HashSet<string>();
    private static readonly Dictionary<string, ReviewerLoad> NoLoad = [];

    private static Reviewer Tied(string id, AffiliationKind kind, string party) =>
        SampleData.Reviewer(id) with { Affiliations = [new Affiliation(kind, party)] };

    [Fact]
    public void Skips_a_reviewer_affiliated_with_the_claims_administrator_and_says_why()
    {
        var roster = new[] { Tied("a", AffiliationKind.ClaimsAdministrator, "Sample Claims Services"), SampleData.Reviewer("b") };

        var result = _matcher.Match(SampleData.Package(), roster, None, NoLoad);

        Assert.Equal("b", result.Selected?.ReviewerId);
        Assert.Equal("affiliated with a party to the case: the claims administrator (ClaimsAdministrator tie)", result.Verdicts.Single(v => v.ReviewerId == "a").Reason);
    }

    public static TheoryData<string, Reviewer, string> Exclusions => new()
    {
        { "inactive", SampleData.Reviewer("x") with { Active = false }, "inactive" },
        { "specialty", SampleData.Reviewer("x") with { Specialties = ["Psychiatry"] }, "no specialty suited to PhysicalTherapy of the lumbar spine" },
        { "board", SampleData.Reviewer("x") with { BoardCertifications = [] }, "not board-certified" },
        { "license", SampleData.Reviewer("x") with { LicensedStates = [] }, "not licensed" },
        { "hours", SampleData.Reviewer("x") with { ActivePracticeHoursPerWeek = 10 }, "fewer than 24 hours a week of active practice" },
        { "employer", Tied("x", AffiliationKind.Employer, "Sample Manufacturing Co."), "affiliated with a party to the case: the employer (Employer tie)" },
        { "insurer", Tied("x", AffiliationKind.Insurer, "SAMPLE CLAIMS SERVICES"), "affiliated with a party to the case: the claims administrator (Insurer tie)" },
        { "physician", Tied("x", AffiliationKind.Physician, "Alex Example, MD"), "affiliated with a party to the case: the requesting physician (Physician tie)" },
        { "group", Tied("x", AffiliationKind.MedicalGroup, "Example Orthopedic Medical Group"), "affiliated with a party to the case: the requesting physician's medical group (MedicalGroup tie)" },
        { "facility", Tied("x", AffiliationKind.Facility, "Example Spine Center"), "affiliated with a party to the case: the facility (Facility tie)" },
        { "worker", Tied("x", AffiliationKind.Family, "Sample Worker"), "affiliated with a party to the case: the worker (Family tie)" },
        { "ur-affiliation", Tied("x", AffiliationKind.Physician, "Dr. Robin Review"), "affiliated with a party to the case: the UR reviewer (Physician tie)" },
        { "is-ur-reviewer", SampleData.Reviewer("x") with { Name = "Robin Review, M.D." }, "is the UR reviewer of this case" },
        { "is-treating", SampleData.Reviewer("x") with { Name = "Dr. Alex Example" }, "is the worker's treating (requesting) physician" },
    };

    [Theory]
    [MemberData(nameof(Exclusions))]
    public void Each_exclusion_rule_skips_the_reviewer_with_its_reason(string rule, Reviewer reviewer, string reason)
    {
        var package = SampleData.Package();
        package = package with { RequestingPhysician = package.RequestingPhysician with { Facility = "Example Spine Center" } };

        var result = _matcher.Match(package, [reviewer], None, NoLoad);

        Assert.Null(result.Selected);
        var verdict = Assert.Single(result.Verdicts);
        Assert.False(verdict.Eligible, rule);
        Assert.StartsWith(reason, Assert.Single(verdict.Reasons));
    }

    [Fact]
    public void Excluded_on_this_case_and_at_capacity_have_their_reasons()
    {
        var roster = new[] { SampleData.Reviewer("declined"), SampleData.Reviewer("full", b => b.Capacity = 2), SampleData.Reviewer("ok", b => b.Capacity = 2) };
        var loads = new Dictionary<string, ReviewerLoad> { ["full"] = new(2, null), ["ok"] = new(1, null) };

        var result = _matcher.Match(SampleData.Package(), roster, new HashSet<string> { "declined" }, loads);

        Assert.Equal("ok", result.Selected?.ReviewerId);
        Assert.Equal(ReviewerMatcher.Excluded, result.Verdicts.Single(v => v.ReviewerId == "declined").Reason);
        Assert.Equal(ReviewerMatcher.AtCapacity, result.Verdicts.Single(v => v.ReviewerId == "full").Reason);
    }

    [Fact]
    public void A_license_state_can_be_required()
    {
        var matcher = new ReviewerMatcher(SpecialtyMap.Default, new MatchingRules { RequiredLicenseState = "California" });

        var result = matcher.Match(SampleData.Package(), [SampleData.Reviewer("tx"), SampleData.Reviewer("ca") with { LicensedStates = ["California"] }], None, NoLoad);

        Assert.Equal("ca", result.Selected?.ReviewerId);
        Assert.Equal("not licensed in California", result.Verdicts.Single(v => v.ReviewerId == "tx").Reason);
    }

    [Fact]
    public void Every_failed_rule_is_listed_not_just_the_first()
    {
        var reviewer = SampleData.Reviewer("x", b => { b.Hours = 5; b.Active = false; }) with { BoardCertifications = [] };

        var verdict = Assert.Single(_matcher.Match(SampleData.Package(), [reviewer], None, NoLoad).Verdicts);

        Assert.Equal(["inactive", "not board-certified", "fewer than 24 hours a week of active practice"], verdict.Reasons);
    }

    [Fact]
    public void Prefers_the_least_loaded_then_the_least_recently_assigned_then_the_lowest_id()
    {
        var roster = new[] { SampleData.Reviewer("a"), SampleData.Reviewer("b"), SampleData.Reviewer("c") };
        var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        Assert.Equal("b", _matcher.Match(SampleData.Package(), roster, None, new Dictionary<string, ReviewerLoad> { ["a"] = new(3, t0), ["b"] = new(1, t0), ["c"] = new(1, t0.AddHours(1)) }).Selected?.ReviewerId);
        Assert.Equal("c", _matcher.Match(SampleData.Package(), roster, None, new Dictionary<string, ReviewerLoad> { ["a"] = new(0, t0.AddHours(2)), ["b"] = new(0, t0.AddHours(1)) }).Selected?.ReviewerId); // c never assigned
        Assert.Equal("a", _matcher.Match(SampleData.Package(), roster, None, NoLoad).Selected?.ReviewerId);
    }

    [Fact]
    public void Over_many_assignments_the_rotation_spreads_cases_evenly_and_respects_capacity()
    {
        var roster = Enumerable.Range(1, 5).Select(i => SampleData.Reviewer($"r{i}", b => b.Capacity = 3)).ToList();
        var loads = roster.ToDictionary(r => r.ReviewerId, _ => ReviewerLoad.None);
        var open = new Queue<string>();
        var assigned = roster.ToDictionary(r => r.ReviewerId, _ => 0);
        var clock = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        for (var i = 0; i < 1000; i++)
        {
            clock = clock.AddMinutes(1);
            var selected = _matcher.Match(SampleData.Package(), roster, None, loads).Selected!;
            Assert.True(loads[selected.ReviewerId].OpenAssignments < selected.Capacity);
            loads[selected.ReviewerId] = new ReviewerLoad(loads[selected.ReviewerId].OpenAssignments + 1, clock);
            assigned[selected.ReviewerId]++;
            open.Enqueue(selected.ReviewerId);
            if (open.Count > 7) // cases close in the order they were assigned
            {
                var done = open.Dequeue();
                loads[done] = loads[done] with { OpenAssignments = loads[done].OpenAssignments - 1 };
            }
        }

        Assert.All(assigned.Values, n => Assert.Equal(200, n));
    }

    [Fact]
    public void When_all_are_at_capacity_nobody_is_selected_and_the_explanation_says_why()
    {
        var roster = new[] { SampleData.Reviewer("a", b => b.Capacity = 1), SampleData.Reviewer("b", b => b.Capacity = 1) };
        var loads = new Dictionary<string, ReviewerLoad> { ["a"] = new(1, null), ["b"] = new(1, null) };

        var result = _matcher.Match(SampleData.Package(), roster, None, loads);

        Assert.Null(result.Selected);
        Assert.Equal("a: skipped — at capacity (open 1)\nb: skipped — at capacity (open 1)", result.Explain());
    }

    [Fact]
    public void The_explanation_names_the_selected_and_why_each_other_candidate_was_not()
    {
        var roster = new[] { Tied("a", AffiliationKind.Employer, "Sample Manufacturing Co."), SampleData.Reviewer("b"), SampleData.Reviewer("c") };

        var text = _matcher.Match(SampleData.Package(), roster, None, NoLoad).Explain();

        Assert.Equal(
            "a: skipped — affiliated with a party to the case: the employer (Employer tie) (open 0)\n" +
            "b: selected — eligible (open 0)\n" +
            "c: eligible, not first in order — eligible (open 0)", text);
    }

    [Fact]
    public void Every_disputed_item_needs_a_suited_specialty()
    {
        var package = SampleData.Package(items => items.Add(new DisputedItem { ItemId = "PSY", Description = "6 psychotherapy sessions", Category = "Psychological", BodyPart = "psyche" }));

        var result = _matcher.Match(package, [SampleData.Reviewer("ortho")], None, NoLoad);

        Assert.Null(result.Selected);
        Assert.Equal("no specialty suited to Psychological of the psyche (needs one of: Psychiatry, Psychology)", result.Verdicts.Single().Reason);
    }

    private static CasePackage AdministeredBy(string claimsAdministrator) => SampleData.Package() with { ClaimsAdministrator = claimsAdministrator };

    [Theory]
    [InlineData("Golden State Mutual", "Golden State Mutual Insurance Company")] // the case
    [InlineData("Golden State Mutual", "THE GOLDEN STATE MUTUAL INS. CO., INC.")]
    [InlineData("Golden State Mutual Insurance Company", "Golden State Mutual")]
    [InlineData("Smith & Jones Claims, LLC", "Smith and Jones Claims")]
    public void A_tie_named_differently_but_the_same_organisation_is_a_conflict(string tie, string administrator)
    {
        var roster = new[] { Tied("a", AffiliationKind.ClaimsAdministrator, tie), SampleData.Reviewer("b") };

        var result = _matcher.Match(AdministeredBy(administrator), roster, None, NoLoad);

        Assert.Equal("b", result.Selected?.ReviewerId);
        var verdict = result.Verdicts.Single(v => v.ReviewerId == "a");
        Assert.Equal(MatchVerdict.Ineligible, verdict.Verdict);
        Assert.Equal(["affiliated with a party to the case: the claims administrator (ClaimsAdministrator tie)"], verdict.Reasons);
    }

    [Fact]
    public void An_alias_on_the_roster_makes_a_known_variant_a_conflict()
    {
        var tie = new Affiliation(AffiliationKind.Insurer, "Golden State Mutual") { Aliases = ["GSM Claims Management"] };
        var roster = new[] { SampleData.Reviewer("a") with { Affiliations = [tie] }, SampleData.Reviewer("b") };

        var result = _matcher.Match(AdministeredBy("GSM Claims Management, Inc."), roster, None, NoLoad);

        Assert.Equal("b", result.Selected?.ReviewerId);
        Assert.Equal("affiliated with a party to the case: the claims administrator (Insurer tie)", result.Verdicts.Single(v => v.ReviewerId == "a").Reason);
    }

    [Theory]
    [InlineData("Golden State", "Golden State Mutual Insurance Company")]
    [InlineData("Golden State Mutual Holdings West", "Golden State Mutual")]
    [InlineData("Golden State Mutal", "Golden State Mutual")]
    public void A_close_but_not_equal_name_holds_the_reviewer_back_for_a_human(string tie, string administrator)
    {
        var roster = new[] { Tied("a", AffiliationKind.ClaimsAdministrator, tie), SampleData.Reviewer("b") };

        var result = _matcher.Match(AdministeredBy(administrator), roster, None, NoLoad);

        Assert.Equal("b", result.Selected?.ReviewerId); // "a" would come first in order: the hold is what skips it
        var verdict = result.Verdicts.Single(v => v.ReviewerId == "a");
        Assert.Equal(MatchVerdict.PossibleConflict, verdict.Verdict);
        Assert.False(verdict.Eligible);
        Assert.Empty(verdict.Reasons);
        Assert.Equal($"{ReviewerMatcher.HeldBack}: the claims administrator's name resembles the reviewer's ClaimsAdministrator tie \"{tie}\" (not the same name once normalised)", verdict.Reason);
        Assert.Equal("a", Assert.Single(result.HeldBack).ReviewerId);
    }

    [Fact]
    public void When_only_held_back_reviewers_remain_nobody_is_offered_and_the_explanation_says_why()
    {
        var roster = new[] { Tied("a", AffiliationKind.ClaimsAdministrator, "Golden State"), Tied("b", AffiliationKind.Employer, "Golden State Mutual Insurance Company") };

        var result = _matcher.Match(AdministeredBy("Golden State Mutual"), roster, None, NoLoad);

        Assert.Null(result.Selected);
        Assert.Equal(
            $"a: held back — {ReviewerMatcher.HeldBack}: the claims administrator's name resembles the reviewer's ClaimsAdministrator tie \"Golden State\" (not the same name once normalised) (open 0)\n" +
            "b: skipped — affiliated with a party to the case: the claims administrator (Employer tie) (open 0)", result.Explain());
    }

    [Theory]
    [InlineData("Golden Gate Mutual", "Golden State Mutual")]
    [InlineData("State Farm", "State Fund")]
    [InlineData("Blue Cross of California", "Blue Shield of California")]
    public void A_different_organisation_neither_excludes_nor_holds_back(string tie, string administrator)
    {
        var result = _matcher.Match(AdministeredBy(administrator), [Tied("a", AffiliationKind.ClaimsAdministrator, tie)], None, NoLoad);

        Assert.Equal("a", result.Selected?.ReviewerId);
        Assert.Equal(MatchVerdict.Eligible, Assert.Single(result.Verdicts).Verdict);
    }

    [Fact]
    public void People_are_not_compared_loosely_and_a_persons_tie_does_not_resemble_an_organisation()
    {
        // "Sample Worker Jr" contains the worker's name, but people's names are only ever compared exactly; a family
        // member called Golden does not resemble the administrator "Golden State".
        var roster = new[]
        {
            Tied("a", AffiliationKind.Family, "Sample Worker Jr"),
            Tied("b", AffiliationKind.Family, "Golden"),
        };

        var result = _matcher.Match(AdministeredBy("Golden State"), roster, None, NoLoad);

        Assert.All(result.Verdicts, v => Assert.Equal(MatchVerdict.Eligible, v.Verdict));
    }

    [Fact]
    public void An_ineligible_reviewer_stays_ineligible_and_its_possible_conflict_is_listed_too()
    {
        var reviewer = Tied("a", AffiliationKind.ClaimsAdministrator, "Golden State") with { Active = false };

        var verdict = Assert.Single(_matcher.Match(AdministeredBy("Golden State Mutual"), [reviewer], None, NoLoad).Verdicts);

        Assert.Equal(MatchVerdict.Ineligible, verdict.Verdict);
        Assert.Equal(["inactive"], verdict.Reasons);
        Assert.StartsWith("inactive; the claims administrator's name resembles", verdict.Reason);
    }

    [Fact]
    public void A_possible_conflict_does_not_block_a_manual_assignment_a_certain_one_does()
    {
        var package = AdministeredBy("Golden State Mutual Insurance Company");

        Assert.Empty(_matcher.ManualAssignmentBlocking(package, Tied("a", AffiliationKind.ClaimsAdministrator, "Golden State")));
        Assert.Single(_matcher.PossibleConflicts(package, Tied("a", AffiliationKind.ClaimsAdministrator, "Golden State")));
        Assert.Equal(["affiliated with a party to the case: the claims administrator (ClaimsAdministrator tie)"],
            _matcher.ManualAssignmentBlocking(package, Tied("b", AffiliationKind.ClaimsAdministrator, "Golden State Mutual")));
    }

    [Fact]
    public void Verdicts_are_stored_with_their_kind_by_name()
    {
        var result = _matcher.Match(AdministeredBy("Golden State Mutual"), [Tied("a", AffiliationKind.ClaimsAdministrator, "Golden State")], None, NoLoad);

        var json = System.Text.Json.JsonSerializer.Serialize(result.Verdicts, CasePackage.JsonOptions);

        Assert.Contains("\"verdict\": \"PossibleConflict\"", json);
        Assert.Contains("\"possibleConflicts\": [", json);
    }

    [Fact]
    public void Manual_assignment_may_override_capacity_and_a_decline_but_never_a_conflict()
    {
        Assert.Empty(ManualAssignmentRules.Blocking([ReviewerMatcher.AtCapacity, ReviewerMatcher.Excluded]));
        Assert.Equal(["affiliated with a party to the case: the employer (Employer tie)"], ManualAssignmentRules.Blocking([ReviewerMatcher.AtCapacity, "affiliated with a party to the case: the employer (Employer tie)"]));
    }
}

public class SpecialtyMapTests
{
    private static DisputedItem Item(string category, string bodyPart) => new() { ItemId = "I", Description = "d", Category = category, BodyPart = bodyPart };

    [Fact]
    public void A_rule_for_the_body_part_wins_over_the_category_rule()
    {
        Assert.Equal(["Orthopedic Spine Surgery", "Neurological Surgery"], SpecialtyMap.Default.SpecialtiesFor(Item("Surgery", "Lumbar spine L4-L5")));
        Assert.Equal(["Hand Surgery", "Orthopedic Surgery", "Plastic Surgery"], SpecialtyMap.Default.SpecialtiesFor(Item("surgery", "right wrist")));
        Assert.Equal(["Orthopedic Surgery"], SpecialtyMap.Default.SpecialtiesFor(Item("Surgery", "left knee")));
    }

    [Fact]
    public void An_unmapped_category_has_no_suited_specialty()
    {
        // Acupuncture used to be unmapped; it is in the taxonomy now (issue 15), so an invented category stands in.
        Assert.Empty(SpecialtyMap.Default.SpecialtiesFor(Item("Astrology", "back")));
    }

    [Fact]
    public void The_map_is_configuration()
    {
        var map = new SpecialtyMap([new SpecialtyRule { Category = "Acupuncture", Specialties = ["Pain Medicine"] }]);

        Assert.Equal(["Pain Medicine"], map.SpecialtiesFor(Item("ACUPUNCTURE", "neck")));
    }
}
