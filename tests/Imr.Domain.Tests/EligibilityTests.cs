using Imr.Domain.Cases;
using Imr.Domain.Eligibility;

namespace Imr.Domain.Tests;

public class EligibilityTests
{
    private static readonly EligibilityRules Rules = EligibilityRules.CaliforniaWorkersCompensation;
    private static readonly DateOnly Served = new(2013, 6, 5);

    private static CasePackage Filed(int daysAfterService, NoticeMethod servedBy, Func<CasePackage, CasePackage>? change = null)
    {
        var p = SampleData.Package();
        p = p with
        {
            UtilizationReview = p.UtilizationReview with { DateServed = Served, ServedBy = servedBy },
            ApplicationDate = Served.AddDays(daysAfterService),
        };
        return change is null ? p : change(p);
    }

    [Theory]
    [InlineData(30, NoticeMethod.Electronic, EligibilityOutcome.Eligible)]
    [InlineData(31, NoticeMethod.Electronic, EligibilityOutcome.Ineligible)]
    [InlineData(35, NoticeMethod.Mail, EligibilityOutcome.Eligible)]
    [InlineData(36, NoticeMethod.Mail, EligibilityOutcome.Ineligible)]
    [InlineData(0, NoticeMethod.Electronic, EligibilityOutcome.Eligible)]
    public void The_application_window_runs_30_days_from_service_plus_the_mailing_extension(int days, NoticeMethod servedBy, EligibilityOutcome expected)
    {
        var decision = EligibilityScreening.Screen(Filed(days, servedBy), [], Rules);

        Assert.Equal(expected, decision.Outcome);
        if (expected == EligibilityOutcome.Ineligible)
        {
            Assert.Equal($"Untimely: the application was filed {days} days after the utilization review decision was served ({(servedBy == NoticeMethod.Mail ? "by mail" : "electronically")}); the limit is {(servedBy == NoticeMethod.Mail ? 35 : 30)} days.", Assert.Single(decision.Reasons));
        }
    }

    [Fact]
    public void The_window_and_extension_are_settings()
    {
        var rules = Rules with { ApplicationWindowDays = 10, MailingExtensionDays = 0, RollForwardToWorkingDay = false }; // day 10 is a Saturday: no roll-forward here

        Assert.Equal(EligibilityOutcome.Eligible, EligibilityScreening.Screen(Filed(10, NoticeMethod.Mail), [], rules).Outcome);
        Assert.Equal(EligibilityOutcome.Ineligible, EligibilityScreening.Screen(Filed(11, NoticeMethod.Mail), [], rules).Outcome);
    }

    [Fact]
    public void An_item_the_UR_approved_cannot_be_disputed()
    {
        var p = Filed(5, NoticeMethod.Mail, p => p with { DisputedItems = [p.DisputedItems[0], p.DisputedItems[0] with { ItemId = "OK-1", UrOutcome = UrOutcome.Approved }] });

        var decision = EligibilityScreening.Screen(p, [], Rules);

        Assert.Equal(EligibilityOutcome.Ineligible, decision.Outcome);
        Assert.Equal("Not disputable: the utilization review did not deny, modify or delay item(s) OK-1.", Assert.Single(decision.Reasons));
    }

    [Fact]
    public void A_modified_item_can_be_disputed()
    {
        var p = Filed(5, NoticeMethod.Mail, p => p with { DisputedItems = [p.DisputedItems[0] with { UrOutcome = UrOutcome.Modified }] });

        Assert.Equal(EligibilityOutcome.Eligible, EligibilityScreening.Screen(p, [], Rules).Outcome);
    }

    [Fact]
    public void A_liability_dispute_is_deferred_not_decided()
    {
        var decision = EligibilityScreening.Screen(Filed(5, NoticeMethod.Mail, p => p with { DisputeType = DisputeType.Liability }), [], Rules);

        Assert.Equal(EligibilityOutcome.Deferred, decision.Outcome);
        Assert.StartsWith("Deferred: the claims administrator disputes liability", Assert.Single(decision.Reasons));
    }

    [Fact]
    public void A_duplicate_of_an_open_or_decided_case_is_ineligible_and_names_it()
    {
        var earlier = Filed(5, NoticeMethod.Mail, p => p with { CaseNumber = "CM13-0000001" });
        // Another submitter spelled the worker and treatment differently; it is still the same application.
        var again = Filed(6, NoticeMethod.Mail, p => p with
        {
            CaseNumber = "CM13-0000002",
            Worker = p.Worker with { Name = "SAMPLE  worker" },
            DisputedItems = [p.DisputedItems[0] with { ItemId = "X1", Description = "12 physical therapy sessions for the lumbar spine." }],
        });

        var decision = EligibilityScreening.Screen(again, [new PriorApplication(ApplicationFingerprint.Of(earlier), Decided: true)], Rules);

        Assert.Equal(EligibilityOutcome.Ineligible, decision.Outcome);
        Assert.Equal("CM13-0000001", decision.DuplicateOf);
        Assert.Contains("already the subject of case CM13-0000001 (decided)", Assert.Single(decision.Reasons));
    }

    [Fact]
    public void Another_UR_decision_or_treatment_of_the_same_worker_is_not_a_duplicate()
    {
        var earlier = Filed(5, NoticeMethod.Mail, p => p with { CaseNumber = "CM13-0000001" });
        var otherDecision = Filed(5, NoticeMethod.Mail, p => p with { CaseNumber = "CM13-0000002", UtilizationReview = p.UtilizationReview with { ReferenceNumber = "UR-2" } });
        var otherTreatment = Filed(5, NoticeMethod.Mail, p => p with { CaseNumber = "CM13-0000003", DisputedItems = [p.DisputedItems[0] with { Description = "MRI of the lumbar spine", Category = "Imaging" }] });
        var prior = new[] { new PriorApplication(ApplicationFingerprint.Of(earlier), Decided: false) };

        Assert.Equal(EligibilityOutcome.Eligible, EligibilityScreening.Screen(otherDecision, prior, Rules).Outcome);
        Assert.Equal(EligibilityOutcome.Eligible, EligibilityScreening.Screen(otherTreatment, prior, Rules).Outcome);
        Assert.Null(EligibilityScreening.Screen(otherTreatment, prior, Rules).CombineWith);
    }

    [Fact]
    public void Only_an_application_that_could_be_a_duplicate_or_combined_concerns_the_screening()
    {
        var earlier = ApplicationFingerprint.Of(Filed(5, NoticeMethod.Mail, p => p with { CaseNumber = "CM13-0000001" }));
        var same = ApplicationFingerprint.Of(Filed(5, NoticeMethod.Mail, p => p with { CaseNumber = "CM13-0000002" }));
        var otherDecision = ApplicationFingerprint.Of(Filed(5, NoticeMethod.Mail, p => p with { CaseNumber = "CM13-0000003", UtilizationReview = p.UtilizationReview with { ReferenceNumber = "UR-2" } }));

        Assert.True(EligibilityScreening.Concerns(same, earlier, Rules));
        // Same worker and physician, another UR decision: only a possible combination, so only when combining is on.
        Assert.False(EligibilityScreening.Concerns(otherDecision, earlier, Rules with { CombineApplications = false }));
        Assert.True(EligibilityScreening.Concerns(otherDecision, earlier, Rules with { CombineApplications = true }));
    }

    [Fact]
    public void With_combining_on_an_application_of_the_same_worker_physician_and_injury_joins_the_open_case()
    {
        var earlier = Filed(5, NoticeMethod.Mail, p => p with { CaseNumber = "CM13-0000001" });
        var next = Filed(5, NoticeMethod.Mail, p => p with { CaseNumber = "CM13-0000003", UtilizationReview = p.UtilizationReview with { ReferenceNumber = "UR-2" } });

        var combined = EligibilityScreening.Screen(next, [new PriorApplication(ApplicationFingerprint.Of(earlier), Decided: false)], Rules with { CombineApplications = true });
        var decidedOnly = EligibilityScreening.Screen(next, [new PriorApplication(ApplicationFingerprint.Of(earlier), Decided: true)], Rules with { CombineApplications = true });

        Assert.Equal((EligibilityOutcome.Eligible, "CM13-0000001"), (combined.Outcome, combined.CombineWith));
        Assert.Null(decidedOnly.CombineWith);
    }

    [Theory]
    [InlineData(false, NoticeMethod.Mail, 15 * 24)]
    [InlineData(false, NoticeMethod.Electronic, 12 * 24)]
    [InlineData(true, NoticeMethod.Mail, 24)]
    [InlineData(true, NoticeMethod.Electronic, 24)]
    public void Medical_records_are_due_15_days_after_a_mailed_notice_12_electronic_24_hours_expedited(bool expedited, NoticeMethod notice, int hours)
    {
        var sent = new DateTimeOffset(2026, 3, 2, 17, 0, 0, TimeSpan.Zero);

        Assert.Equal(sent.AddHours(hours), MedicalRecordsPolicy.CaliforniaWorkersCompensation.DueAt(sent, expedited, notice));
    }

    [Fact]
    public void The_ineligibility_notice_gives_every_reason_and_the_earlier_case()
    {
        var text = IneligibilityNoticeRenderer.Render(new IneligibilityNotice("MAXIMUS Federal Services", "CM13-0000002", new DateOnly(2013, 6, 20), new DateOnly(2013, 6, 21), ["Untimely: x.", "Duplicate: y."], "CM13-0000001"));

        Assert.StartsWith(IneligibilityNoticeRenderer.Heading, text);
        Assert.Contains("- Untimely: x.\n- Duplicate: y.\n", text);
        Assert.Contains("IMR case CM13-0000001", text);
        Assert.Contains("Application Received: 06/20/2013", text);
    }
}
