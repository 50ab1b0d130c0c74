using System.Text;
using System.Text.Json.Nodes;
using Imr.Domain.Cases;
using Imr.Domain.Eligibility;
using Imr.Domain.Programs;

namespace Imr.Domain.Tests;

/// <summary>
/// DMHC: the enrollee first uses the health plan's grievance process (Health and Safety Code 1374.30; the department may
/// require up to 30 days of it, 1368.03(a), but not for an urgent case, where the plan answers in 3 days, 1368.01(b)).
/// </summary>
public class DmhcGrievanceTests
{
    private static readonly EligibilityRules Rules = ReviewPrograms.CaliforniaDmhc.Eligibility;

    /// <summary>A DMHC package filed on 2013-11-20 with a grievance filed <paramref name="daysBefore"/> days earlier.</summary>
    private static CasePackage WithGrievance(int daysBefore, GrievanceStatus status = GrievanceStatus.Pending, bool expedited = false, bool? waived = null) =>
        DmhcProgramTests.Enrollee(p => p with
        {
            Expedited = expedited,
            PlanGrievance = new PlanGrievance { FiledOn = p.ApplicationDate.AddDays(-daysBefore), Status = status, WaivedByDepartment = waived },
        });

    private static EligibilityDecision Screen(CasePackage p) => EligibilityScreening.Screen(p, [], Rules);

    [Fact]
    public void HSC_1374_30_and_1368_03_a_a_grievance_unresolved_for_less_than_30_days_is_not_yet_eligible()
    {
        var decision = Screen(WithGrievance(10));

        Assert.Equal(EligibilityOutcome.Ineligible, decision.Outcome);
        var reason = Assert.Single(decision.Reasons);
        Assert.StartsWith("Plan grievance not completed: the grievance was filed with the health plan on 2013-11-10, 10 day(s) before the application", reason);
        Assert.Contains("after 30 days without a resolution", reason);
    }

    [Fact]
    public void HSC_1368_03_a_after_30_days_without_a_resolution_the_enrollee_may_apply()
    {
        Assert.Equal(EligibilityOutcome.Eligible, Screen(WithGrievance(30)).Outcome);
        Assert.Equal(EligibilityOutcome.Ineligible, Screen(WithGrievance(29)).Outcome);
    }

    [Fact]
    public void HSC_1368_01_b_an_urgent_case_waits_3_days_not_30()
    {
        Assert.Equal(EligibilityOutcome.Eligible, Screen(WithGrievance(3, expedited: true)).Outcome);
        var early = Screen(WithGrievance(2, expedited: true));
        Assert.Equal(EligibilityOutcome.Ineligible, early.Outcome);
        Assert.Contains("after 3 days without a resolution (urgent case)", Assert.Single(early.Reasons));
    }

    [Fact]
    public void HSC_1374_30_a_final_plan_decision_or_a_waiver_by_the_department_needs_no_wait()
    {
        Assert.Equal(EligibilityOutcome.Eligible, Screen(WithGrievance(5, GrievanceStatus.Upheld)).Outcome);
        Assert.Equal(EligibilityOutcome.Eligible, Screen(WithGrievance(1, waived: true)).Outcome);
    }

    [Fact]
    public void Packages_without_the_field_and_other_programs_are_not_checked()
    {
        Assert.Equal(EligibilityOutcome.Eligible, Screen(DmhcProgramTests.Enrollee()).Outcome);
        var workersComp = SampleData.Package() with { PlanGrievance = new PlanGrievance { FiledOn = SampleData.Package().ApplicationDate, Status = GrievanceStatus.Pending } };
        Assert.DoesNotContain(EligibilityScreening.Screen(workersComp, [], EligibilityRules.CaliforniaWorkersCompensation).Reasons, r => r.Contains("grievance", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void The_DMHC_ineligibility_notice_tells_the_enrollee_to_finish_the_plans_grievance_first()
    {
        var package = WithGrievance(10);
        var decision = Screen(package);
        var notice = new IneligibilityNotice("MAXIMUS Federal Services", package.CaseNumber, package.ApplicationDate, package.ApplicationDate.AddDays(1), decision.Reasons, null)
        {
            Program = nameof(ReviewProgram.CaliforniaDmhc),
        };

        var text = string.Join(" ", IneligibilityNoticeRenderer.Render(notice).Split('\n', StringSplitOptions.TrimEntries));

        Assert.Contains("You must first use your health plan's grievance process.", text);
        Assert.Contains("(Health and Safety Code sections 1374.30, 1368.03 and 1368.01)", text);
        var other = IneligibilityNoticeRenderer.Render(notice with { Reasons = ["Coverage decision: x"] });
        Assert.DoesNotContain("grievance process", other);
    }

    [Fact]
    public void The_package_schema_takes_the_grievance_additively()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "ImrFunctions.sln"))) root = Path.GetDirectoryName(root)!;
        var node = JsonNode.Parse(File.ReadAllText(Path.Combine(root, "samples", "sample-case", "CM13-0012345", "manifest.json")))!;
        node["program"] = "CaliforniaDmhc";
        node["planGrievance"] = new JsonObject { ["filedOn"] = "2013-06-10", ["status"] = "Pending", ["waivedByDepartment"] = null };

        var parsed = CasePackage.Parse(Encoding.UTF8.GetBytes(node.ToJsonString()));

        Assert.True(parsed.IsAccepted, string.Join("; ", parsed.Reasons));
        Assert.Equal(new PlanGrievance { FiledOn = new DateOnly(2013, 6, 10), Status = GrievanceStatus.Pending }, parsed.Package!.PlanGrievance);
        node["planGrievance"]!["status"] = "Withdrawn";
        Assert.False(CasePackage.Parse(Encoding.UTF8.GetBytes(node.ToJsonString())).IsAccepted);
    }
}
