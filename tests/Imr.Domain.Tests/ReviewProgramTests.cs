using Imr.Domain.Cases;
using Imr.Domain.Deadlines;
using Imr.Domain.Eligibility;
using Imr.Domain.Programs;
using Imr.Domain.Reviewers;

namespace Imr.Domain.Tests;

/// <summary>California workers' compensation IMR: Labor Code 4610.5/4610.6 and 8 CCR 9792.10.1–9792.10.8, rule by rule.</summary>
public class WorkersCompensationProgramTests
{
    private static readonly EligibilityRules Rules = ReviewPrograms.CaliforniaWorkersCompensation.Eligibility;
    private static readonly DateTimeOffset Sent = new(2025, 4, 7, 16, 0, 0, TimeSpan.Zero);

    private static CasePackage Filed(DateOnly served, DateOnly applied, NoticeMethod servedBy = NoticeMethod.Electronic)
    {
        var p = SampleData.Package();
        return p with
        {
            UtilizationReview = p.UtilizationReview with { DecisionDate = served, DateServed = served, ServedBy = servedBy },
            ApplicationDate = applied,
        };
    }

    [Fact]
    public void CCR_9792_10_5_a_records_follow_how_the_notice_was_actually_served_not_the_manifest_field()
    {
        var package = SampleData.Package() with { NoticeOfAssignmentBy = NoticeMethod.Electronic };
        var policy = DeadlinePolicy.CaliforniaWorkersCompensation;

        var byPost = RecordsDeadline.For(MedicalRecordsPolicy.CaliforniaWorkersCompensation, policy, Sent, package, PartyContacts.None);
        var byEmail = RecordsDeadline.For(MedicalRecordsPolicy.CaliforniaWorkersCompensation, policy, Sent, package with { NoticeOfAssignmentBy = NoticeMethod.Mail }, new PartyContacts { ClaimsAdministrator = "records@claims.example" });

        Assert.Equal(NoticeMethod.Mail, RecordsDeadline.NoticeServiceTo(PartyContacts.None));
        Assert.Equal(TimeSpan.FromDays(15), byPost.Allowed); // no e-mail address: the notice went by post
        Assert.Equal(TimeSpan.FromDays(12), byEmail.Allowed); // e-mailed, whatever the manifest says
        Assert.Equal(TimeSpan.FromHours(24), RecordsDeadline.For(MedicalRecordsPolicy.CaliforniaWorkersCompensation, policy, Sent, package with { Expedited = true }, PartyContacts.None).Allowed);
    }

    [Fact]
    public void CCR_9792_10_1_b_an_application_not_signed_by_the_worker_or_representative_is_ineligible()
    {
        var unsigned = SampleData.Package() with { ApplicationSignedBy = ApplicationSigner.NotSigned };

        var decision = EligibilityScreening.Screen(unsigned, [], Rules);

        Assert.Equal(EligibilityOutcome.Ineligible, decision.Outcome);
        Assert.Equal("Not signed: the application is not signed by the injured worker or the worker's representative.", Assert.Single(decision.Reasons));
        Assert.Equal(EligibilityOutcome.Eligible, EligibilityScreening.Screen(SampleData.Package() with { ApplicationSignedBy = ApplicationSigner.Representative }, [], Rules).Outcome);
        Assert.Equal(EligibilityOutcome.Eligible, EligibilityScreening.Screen(SampleData.Package() with { ApplicationSignedBy = ApplicationSigner.InjuredWorker }, [], Rules).Outcome);
    }

    [Fact]
    public void CCR_9792_10_1_b_an_application_without_the_UR_decision_attached_is_ineligible()
    {
        var p = SampleData.Package();
        var decision = EligibilityScreening.Screen(p with { UtilizationReview = p.UtilizationReview with { DecisionAttached = false } }, [], Rules);

        Assert.Equal(EligibilityOutcome.Ineligible, decision.Outcome);
        Assert.Equal("No utilization review decision: a copy of the written utilization review decision is not attached to the application.", Assert.Single(decision.Reasons));
        Assert.Equal(EligibilityOutcome.Eligible, EligibilityScreening.Screen(p with { UtilizationReview = p.UtilizationReview with { DecisionAttached = true } }, [], Rules).Outcome);
    }

    [Fact]
    public void LC_4610_5_c_3_a_conditional_non_certification_is_not_a_UR_decision_for_IMR()
    {
        var p = SampleData.Package(items => items[0] = items[0] with { UrOutcome = UrOutcome.ConditionalNonCertification });

        var decision = EligibilityScreening.Screen(p, [], Rules);

        Assert.Equal(EligibilityOutcome.Ineligible, decision.Outcome);
        Assert.StartsWith("Not a decision on medical necessity: item(s) PT-LUMBAR-12 were denied only because the information the claims administrator asked for was not sent", Assert.Single(decision.Reasons));
    }

    [Fact]
    public void CCR_9792_10_3_a_a_UR_decision_that_delays_treatment_is_disputable()
    {
        var p = SampleData.Package(items => items[0] = items[0] with { UrOutcome = UrOutcome.Delayed });

        Assert.Equal(EligibilityOutcome.Eligible, EligibilityScreening.Screen(p, [], Rules).Outcome);
    }

    [Fact]
    public void LC_4610_6_d_1_A_a_formulary_dispute_is_decided_in_5_working_days()
    {
        var policy = DeadlinePolicy.CaliforniaWorkersCompensation;
        var monday = new DateTimeOffset(2025, 4, 7, 16, 0, 0, TimeSpan.Zero); // 09:00 in California
        var formulary = SampleData.Package(items => items.Add(new DisputedItem { ItemId = "RX-1", Description = "Tramadol 50 mg #60", Category = "Pharmaceuticals", SubCategory = "Opioids", BodyPart = "lumbar spine", Formulary = true }));

        Assert.Equal(DeadlineSpan.BusinessDays(5), policy.PeriodFor(formulary));
        Assert.Equal(monday.AddDays(7), policy.For(monday, formulary).CaseDueAt); // Monday + 5 working days = next Monday
        Assert.Equal(DeadlineSpan.CalendarDays(30), policy.PeriodFor(SampleData.Package()));
        Assert.Equal(DeadlineSpan.CalendarDays(3), policy.PeriodFor(formulary with { Expedited = true })); // the shorter period wins
    }

    [Fact]
    public void CCR_9792_10_4_c_a_regular_review_converted_to_expedited_is_due_within_the_expedited_period()
    {
        var policy = DeadlinePolicy.CaliforniaWorkersCompensation;
        var received = new DateTimeOffset(2025, 4, 7, 16, 0, 0, TimeSpan.Zero);
        var regular = policy.For(received, expedited: false);

        var converted = policy.ConvertToExpedited(regular, received.AddDays(10));
        var late = policy.ConvertToExpedited(regular, regular.CaseDueAt.AddHours(-1));

        Assert.Equal(received.AddDays(13), converted.CaseDueAt); // 3 days from the conversion
        Assert.True(converted.ReviewerDueAt < converted.CaseDueAt && converted.ReviewerDueAt > received.AddDays(10));
        Assert.Equal(regular, late); // never later than the original due date
    }

    [Fact]
    public void CCR_9792_10_6_a_the_review_ends_when_the_treatment_is_authorised()
    {
        var package = SampleData.Package(items => items.Add(new DisputedItem { ItemId = "ACU-6", Description = "6 Acupuncture sessions", Category = "Acupuncture", BodyPart = "lumbar spine" }));

        var none = TreatmentAuthorised.Apply(package, []);
        Assert.Equal(AuthorisationEffect.NoChange, none.Effect);
        Assert.Equal(["PT-LUMBAR-12", "ACU-6"], none.StillDisputed);
        var partly = TreatmentAuthorised.Apply(package, ["ACU-6"]);
        Assert.Equal(AuthorisationEffect.ItemsWithdrawn, partly.Effect);
        Assert.Equal(["PT-LUMBAR-12"], partly.StillDisputed);
        Assert.Equal(AuthorisationEffect.ReviewEnds, TreatmentAuthorised.Apply(package, ["ACU-6", "PT-LUMBAR-12"]).Effect);
        Assert.Throws<ArgumentException>(() => TreatmentAuthorised.Apply(package, ["NOT-AN-ITEM"]));
    }

    [Theory]
    // Served Friday 2025-02-14: day 30 is Sunday 2025-03-16, so the last day rolls to Monday 2025-03-17.
    [InlineData("2025-02-14", "2025-03-17", EligibilityOutcome.Eligible)]
    [InlineData("2025-02-14", "2025-03-18", EligibilityOutcome.Ineligible)]
    // Served 2025-06-04: day 30 is Friday 2025-07-04 (Independence Day), so the last day is Monday 2025-07-07.
    [InlineData("2025-06-04", "2025-07-07", EligibilityOutcome.Eligible)]
    [InlineData("2025-06-04", "2025-07-08", EligibilityOutcome.Ineligible)]
    // Served 2025-02-26: day 30 is Friday 2025-03-28, a working day: no roll.
    [InlineData("2025-02-26", "2025-03-31", EligibilityOutcome.Ineligible)]
    public void CCP_12a_the_applications_last_day_on_a_weekend_or_holiday_rolls_to_the_next_working_day(string served, string applied, EligibilityOutcome expected)
    {
        var decision = EligibilityScreening.Screen(Filed(DateOnly.Parse(served, System.Globalization.CultureInfo.InvariantCulture), DateOnly.Parse(applied, System.Globalization.CultureInfo.InvariantCulture)), [], Rules);

        Assert.Equal(expected, decision.Outcome);
        if (expected == EligibilityOutcome.Ineligible && served != "2025-02-26")
        {
            Assert.EndsWith("the limit is 30 days (the last day fell on a weekend or holiday and moved to " + (served == "2025-02-14" ? "2025-03-17" : "2025-07-07") + ").", Assert.Single(decision.Reasons));
        }
    }

    [Fact]
    public void The_California_judicial_holidays_are_those_of_CCP_135_and_Gov_Code_6700()
    {
        var h = CaliforniaHolidays.For(2025);

        Assert.Contains(new DateOnly(2025, 1, 20), h); // Martin Luther King Jr. Day
        Assert.Contains(new DateOnly(2025, 3, 31), h); // Cesar Chavez Day
        Assert.Contains(new DateOnly(2025, 9, 26), h); // Native American Day, fourth Friday of September
        Assert.Contains(new DateOnly(2025, 11, 28), h); // the day after Thanksgiving
        Assert.Contains(new DateOnly(2022, 12, 26), CaliforniaHolidays.For(2022)); // Christmas on a Sunday: the Monday
        Assert.DoesNotContain(new DateOnly(2025, 3, 28), h);
    }
}

/// <summary>California DMHC IMR: Health and Safety Code 1374.30–1374.36 and 1370.4.</summary>
public class DmhcProgramTests
{
    private static readonly ReviewProgramDefinition Dmhc = ReviewPrograms.CaliforniaDmhc;
    private static readonly DateTimeOffset Received = new(2025, 4, 7, 16, 0, 0, TimeSpan.Zero);

    internal static CasePackage Enrollee(Func<CasePackage, CasePackage>? change = null)
    {
        var p = SampleData.Package() with
        {
            Program = ReviewProgram.CaliforniaDmhc,
            ClaimsAdministrator = "Sample Health Plan",
            Employer = "Sample Health Plan",
        };
        p = p with
        {
            UtilizationReview = p.UtilizationReview with { DateServed = new DateOnly(2013, 6, 3) },
            ApplicationDate = new DateOnly(2013, 11, 20), // more than 30 days after the decision: timely for the DMHC only
        };
        return change is null ? p : change(p);
    }

    [Fact]
    public void HSC_1374_33_c_standard_30_days_and_expedited_3_days_for_an_imminent_and_serious_threat()
    {
        Assert.Equal(Received.AddDays(30), Dmhc.Deadlines.For(Received, Enrollee()).CaseDueAt);
        Assert.Equal(Received.AddDays(3), Dmhc.Deadlines.For(Received, Enrollee(p => p with { Expedited = true })).CaseDueAt);
    }

    [Fact]
    public void HSC_1370_4_experimental_or_investigational_therapy_30_days_or_7_when_prompt()
    {
        var experimental = Enrollee(p => p with { DisputeType = DisputeType.ExperimentalInvestigational });

        Assert.Equal(Received.AddDays(30), Dmhc.Deadlines.For(Received, experimental).CaseDueAt);
        Assert.Equal(Received.AddDays(7), Dmhc.Deadlines.For(Received, experimental with { Expedited = true }).CaseDueAt);
        Assert.Equal(EligibilityOutcome.Eligible, EligibilityScreening.Screen(experimental, [], Dmhc.Eligibility).Outcome);
    }

    [Fact]
    public void HSC_1374_30_j_the_enrollee_applies_within_6_months_of_the_plans_decision_not_30_days()
    {
        var timely = Enrollee();
        var late = Enrollee(p => p with { ApplicationDate = new DateOnly(2013, 12, 4) });

        // The configured workers'-comp rules are handed in: a DMHC package is screened by its own program's rules.
        Assert.Equal(EligibilityOutcome.Eligible, EligibilityScreening.Screen(timely, [], EligibilityRules.CaliforniaWorkersCompensation).Outcome);
        var decision = EligibilityScreening.Screen(late, [], EligibilityRules.CaliforniaWorkersCompensation);
        Assert.Equal(EligibilityOutcome.Ineligible, decision.Outcome);
        Assert.Equal("Untimely: the application was filed 184 days after the health plan's grievance decision was served (electronically); the limit is 6 months.", Assert.Single(decision.Reasons));
    }

    [Fact]
    public void HSC_1374_30_b_denied_modified_or_delayed_services_are_disputable_and_1374_31_b_coverage_decisions_are_not()
    {
        Assert.Equal(EligibilityOutcome.Eligible, EligibilityScreening.Screen(Enrollee(p => p with { DisputedItems = [p.DisputedItems[0] with { UrOutcome = UrOutcome.Delayed }] }), [], Dmhc.Eligibility).Outcome);
        var approved = EligibilityScreening.Screen(Enrollee(p => p with { DisputedItems = [p.DisputedItems[0] with { UrOutcome = UrOutcome.Approved }] }), [], Dmhc.Eligibility);
        Assert.Equal("Not disputable: the health plan did not deny, modify or delay item(s) PT-LUMBAR-12.", Assert.Single(approved.Reasons));
        var coverage = EligibilityScreening.Screen(Enrollee(p => p with { DisputeType = DisputeType.Coverage }), [], Dmhc.Eligibility);
        Assert.Equal(EligibilityOutcome.Ineligible, coverage.Outcome);
        Assert.StartsWith("Coverage decision:", Assert.Single(coverage.Reasons));
    }

    [Fact]
    public void No_workers_comp_rule_reaches_a_health_plan_case()
    {
        // A liability dispute is deferred under workers' comp; a health plan has no such step: not for IMR at all.
        var liability = EligibilityScreening.Screen(Enrollee(p => p with { DisputeType = DisputeType.Liability }), [], EligibilityRules.CaliforniaWorkersCompensation);
        Assert.Equal(EligibilityOutcome.Ineligible, liability.Outcome);
        // The UR-decision attachment is a workers'-comp requirement: the DMHC asks the plan for its decision itself (1374.30(n)(2)).
        var p = Enrollee();
        Assert.Equal(EligibilityOutcome.Eligible, EligibilityScreening.Screen(p with { UtilizationReview = p.UtilizationReview with { DecisionAttached = false } }, [], Dmhc.Eligibility).Outcome);
    }

    [Fact]
    public void HSC_1374_30_n_the_plan_delivers_records_within_3_business_days_and_1374_31_a_24_hours_when_expedited()
    {
        var friday = new DateTimeOffset(2025, 4, 11, 16, 0, 0, TimeSpan.Zero);

        var regular = RecordsDeadline.For(MedicalRecordsPolicy.CaliforniaWorkersCompensation, DeadlinePolicy.CaliforniaWorkersCompensation, friday, Enrollee(), PartyContacts.None);
        var expedited = RecordsDeadline.For(MedicalRecordsPolicy.CaliforniaWorkersCompensation, DeadlinePolicy.CaliforniaWorkersCompensation, friday, Enrollee(p => p with { Expedited = true }), PartyContacts.None);

        Assert.Equal(friday.AddDays(5), regular.DueAt); // Friday + 3 business days = Wednesday
        Assert.Equal(friday.AddHours(24), expedited.DueAt);
    }
}

/// <summary>Federal external review (45 CFR 147.136): its own rules, none of California's.</summary>
public class AcaProgramTests
{
    private static readonly ReviewProgramDefinition Aca = ReviewPrograms.AcaExternalReview;

    private static CasePackage Claimant(DateOnly applied) => SampleData.Package() with
    {
        Program = ReviewProgram.AcaExternalReview,
        ApplicationDate = applied,
    };

    [Fact]
    public void CFR_147_136_c_2_the_request_is_filed_within_4_months_of_the_final_internal_determination()
    {
        // Decision 2013-06-03: 4 months is 2013-10-03; the California 30-day window does not apply.
        Assert.Equal(EligibilityOutcome.Eligible, EligibilityScreening.Screen(Claimant(new DateOnly(2013, 10, 3)), [], EligibilityRules.CaliforniaWorkersCompensation).Outcome);
        var late = EligibilityScreening.Screen(Claimant(new DateOnly(2013, 10, 4)), [], EligibilityRules.CaliforniaWorkersCompensation);
        Assert.Equal("Untimely: the application was filed 123 days after the final internal adverse benefit determination was served (electronically); the limit is 4 months.", Assert.Single(late.Reasons));
    }

    [Fact]
    public void CFR_147_136_45_days_and_72_hours_expedited()
    {
        var received = new DateTimeOffset(2025, 4, 7, 16, 0, 0, TimeSpan.Zero);
        Assert.Equal(received.AddDays(45), Aca.Deadlines.For(received, Claimant(new DateOnly(2013, 7, 1))).CaseDueAt);
        Assert.Equal(received.AddHours(72), Aca.Deadlines.For(received, Claimant(new DateOnly(2013, 7, 1)) with { Expedited = true }).CaseDueAt);
        // No formulary period: a formulary item keeps the 45 days.
        var rx = Claimant(new DateOnly(2013, 7, 1)) with { DisputedItems = [new DisputedItem { ItemId = "RX", Description = "x", Category = "Pharmaceuticals", BodyPart = "x", Formulary = true }] };
        Assert.Equal(DeadlineSpan.CalendarDays(45), Aca.Deadlines.PeriodFor(rx));
    }

    [Fact]
    public void California_workers_comp_rules_are_not_applied_to_it()
    {
        var unsigned = Claimant(new DateOnly(2013, 7, 1)) with { ApplicationSignedBy = ApplicationSigner.NotSigned };
        var delayed = Claimant(new DateOnly(2013, 7, 1)) with { DisputedItems = [SampleData.Package().DisputedItems[0] with { UrOutcome = UrOutcome.Delayed }] };

        Assert.Equal(EligibilityOutcome.Eligible, EligibilityScreening.Screen(unsigned, [], EligibilityRules.CaliforniaWorkersCompensation).Outcome);
        Assert.Equal(EligibilityOutcome.Ineligible, EligibilityScreening.Screen(delayed, [], EligibilityRules.CaliforniaWorkersCompensation).Outcome);
        Assert.Equal(["Claims administrator", "Injured worker"], Aca.NoticeOfAssignmentServedOn);
    }
}

public class ProgramCatalogueTests
{
    [Fact]
    public void Every_program_of_the_package_has_one_definition_whose_key_is_its_name_and_its_deadline_programs_name()
    {
        Assert.Equal(Enum.GetValues<ReviewProgram>().Order(), ReviewPrograms.All.Select(p => p.Program).Order());
        foreach (var p in ReviewPrograms.All)
        {
            Assert.Equal(p.Program.ToString(), p.Key);
            Assert.Equal(p.Key, p.Deadlines.Program);
            Assert.Equal(p.Program, p.Eligibility.Program);
            Assert.Same(p, ReviewPrograms.For(p.Key.ToUpperInvariant()));
            Assert.Same(p.Deadlines, DeadlinePolicy.BuiltIn[p.Key]);
        }
    }
}

/// <summary>The treatment taxonomy as the DWC and the DMHC report IMR requests, and the specialty map over it.</summary>
public class TreatmentTaxonomyTests
{
    private static readonly TreatmentTaxonomy Taxonomy = TreatmentTaxonomy.Default;

    [Theory]
    [InlineData("Medication", null, "Pharmaceuticals", null)]
    [InlineData("PhysicalTherapy", null, "Rehabilitation", "PhysicalTherapy")]
    [InlineData("Imaging", null, "DiagnosticTesting", "Imaging")]
    [InlineData("Psychological", null, "BehavioralMentalHealth", null)]
    [InlineData("Injection", "EpiduralSteroid", "Injections", "EpiduralSteroid")]
    [InlineData("Pharmacy/Prescription Drugs", "Anti-virals", "Pharmaceuticals", "AntiVirals")]
    [InlineData("Pain Management", "Epidural Injection", "Injections", "EpiduralSteroid")]
    [InlineData("Neurosugery", "Craniotomy", "Surgery", "Neurosurgery")]
    [InlineData("Durable Medical Equipment", "Wheelchair", "Dmepos", "Wheelchair")]
    [InlineData("pharmaceuticals", "Opioids", "Pharmaceuticals", "Opioids")]
    public void Old_values_and_reported_names_map_to_the_taxonomy(string category, string? sub, string expected, string? expectedSub)
    {
        Assert.Equal(new TreatmentClass(expected, expectedSub), Taxonomy.Classify(category, sub));
    }

    [Fact]
    public void Outside_the_taxonomy_is_null()
    {
        Assert.Null(Taxonomy.Classify("Not Applicable"));
        Assert.Null(Taxonomy.Classify(""));
    }

    [Fact]
    public void A_cervical_epidural_steroid_injection_filed_as_an_injection_matches_a_reviewer_of_the_sample_roster()
    {
        var esi = SampleData.Package(items => { items.Clear(); items.Add(new DisputedItem { ItemId = "CESI-1", Description = "Cervical epidural steroid injection C6-C7", Category = "Injection", BodyPart = "cervical spine" }); });
        var roster = RosterImport.Parse("roster.json", File.ReadAllBytes(Path.Combine(SamplesFolder(), "roster.json"))).Reviewers;
        var matcher = new ReviewerMatcher(SpecialtyMap.Default, new MatchingRules());

        Assert.Contains("Orthopedic Spine Surgery", SpecialtyMap.Default.SpecialtiesFor(esi.DisputedItems[0]));
        var eligible = roster.Where(r => !matcher.Disqualifications(esi, r, new HashSet<string>(), ReviewerLoad.None).Any()).Select(r => r.ReviewerId).ToList();
        Assert.NotEmpty(eligible);
        // And the medical director can assign by hand (it answered 409 before): nothing blocks an eligible reviewer.
        Assert.Empty(matcher.ManualAssignmentBlocking(esi, roster.First(r => r.ReviewerId == eligible[0])));
    }

    [Fact]
    public void The_old_categories_keep_their_specialties()
    {
        DisputedItem Item(string c, string b) => new() { ItemId = "I", Description = "d", Category = c, BodyPart = b };
        Assert.Equal(["Orthopedic Spine Surgery", "Orthopedic Surgery", "Physical Medicine and Rehabilitation"], SpecialtyMap.Default.SpecialtiesFor(Item("PhysicalTherapy", "lumbar spine")));
        Assert.Equal(["Orthopedic Surgery", "Physical Medicine and Rehabilitation"], SpecialtyMap.Default.SpecialtiesFor(Item("PhysicalTherapy", "knee")));
        Assert.Equal(["Pain Medicine", "Physical Medicine and Rehabilitation", "Internal Medicine"], SpecialtyMap.Default.SpecialtiesFor(Item("Medication", "knee")));
        Assert.Equal(["Neurology", "Radiology"], SpecialtyMap.Default.SpecialtiesFor(Item("Imaging", "brain")));
        Assert.Equal(["Psychiatry", "Psychology"], SpecialtyMap.Default.SpecialtiesFor(Item("Psychological", "psyche")));
    }

    [Fact]
    public void Every_category_of_the_taxonomy_has_a_specialty()
    {
        foreach (var c in Taxonomy.Categories)
        {
            Assert.NotEmpty(SpecialtyMap.Default.SpecialtiesFor(new DisputedItem { ItemId = "I", Description = "d", Category = c.Key, BodyPart = "unspecified" }));
        }
    }

    internal static string SamplesFolder()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !Directory.Exists(Path.Combine(dir.FullName, "samples"))) dir = dir.Parent;
        return Path.Combine(dir?.FullName ?? throw new DirectoryNotFoundException("samples/"), "samples");
    }
}

/// <summary>The DMHC routing roster (samples/dmhc-roster.json) covers the specialty map, so the routing report can reach 100 %.</summary>
public class DmhcRosterTests
{
    [Fact]
    public void Every_specialty_of_the_default_map_has_an_active_California_reviewer_in_the_DMHC_roster()
    {
        var path = Path.Combine(TreatmentTaxonomyTests.SamplesFolder(), "dmhc-roster.json");
        var (roster, problems) = RosterImport.Parse("dmhc-roster.json", File.ReadAllBytes(path));
        var rules = new MatchingRules { RequiredLicenseState = "California" };

        Assert.Empty(problems);
        Assert.InRange(roster.Count, 200, 500);
        var usable = roster.Where(r => r.Active && r.LicensedStates.Contains("California") && r.ActivePracticeHoursPerWeek >= rules.MinimumActivePracticeHoursPerWeek && r.BoardCertifications.Count > 0).ToList();
        var missing = SpecialtyMap.Default.Rules.SelectMany(r => r.Specialties).Distinct().Where(s => !usable.Any(r => r.Specialties.Contains(s))).ToList();
        Assert.Empty(missing);
    }

    [Fact]
    public void A_DMHC_package_built_like_the_bench_routes_an_oncology_drug_to_an_oncologist()
    {
        var roster = RosterImport.Parse("dmhc-roster.json", File.ReadAllBytes(Path.Combine(TreatmentTaxonomyTests.SamplesFolder(), "dmhc-roster.json"))).Reviewers;
        var package = DmhcProgramTests.Enrollee(p => p with { DisputedItems = [new DisputedItem { ItemId = "RX", Description = "Chemotherapy drug", Category = "Pharmacy/Prescription Drugs", SubCategory = "Chemotherapy/ Cancer Medications", BodyPart = "Cancer: Breast" }] });
        var match = new ReviewerMatcher(SpecialtyMap.Default, new MatchingRules { RequiredLicenseState = "California" }).Match(package, roster, new HashSet<string>(), new Dictionary<string, ReviewerLoad>());

        Assert.NotNull(match.Selected);
        Assert.Contains(match.Selected.Specialties, s => s is "Medical Oncology" or "Hematology and Oncology");
    }
}
