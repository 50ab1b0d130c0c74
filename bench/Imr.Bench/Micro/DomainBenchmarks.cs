using BenchmarkDotNet.Attributes;
using Imr.Domain.Callbacks;
using Imr.Domain.Cases;
using Imr.Domain.Determinations;
using Imr.Domain.Eligibility;
using Imr.Domain.Letters;
using Imr.Domain.Reviewers;

namespace Imr.Bench.Micro;

/// <summary>Hot domain paths: letter rendering, matching over a large roster, token signing and verification.</summary>
[MemoryDiagnoser]
public class DomainBenchmarks
{
    private CasePackage _case = null!;
    private Determination _determination = null!;
    private Reviewer[] _roster = null!;
    private ReviewerMatcher _matcher = null!;
    private CallbackTokenService _tokens = null!;
    private string _token = "";
    private FinalDeterminationLetter _letter = null!;
    private PriorApplication[] _onFile = [];

    [GlobalSetup]
    public void Setup()
    {
        _case = new CasePackage
        {
            CaseNumber = "CM13-0012345",
            Worker = new InjuredWorker { Name = "Sample Worker", AgeYears = 54, Sex = Sex.Male, DateOfInjury = new DateOnly(2011, 5, 24), BodyParts = ["low back"], Mechanism = "cumulative trauma" },
            Employer = "Employer 7",
            ClaimsAdministrator = "Administrator 3",
            RequestingPhysician = new RequestingPhysician { Name = "Dr. Requesting", MedicalGroup = "Group 11" },
            UtilizationReview = new UtilizationReview { DecisionDate = new DateOnly(2013, 6, 3), Reviewer = "Dr. UR", GuidelineCited = "MTUS Chronic Pain Treatment Guidelines Physical Medicine" },
            DisputedItems = [new DisputedItem { ItemId = "PT", Description = "12 Physical Therapy sessions for the lumbar spine", Category = "PhysicalTherapy", BodyPart = "lumbar spine" }],
            ApplicationDate = new DateOnly(2013, 6, 20),
        };
        _determination = new Determination
        {
            ClinicalCaseSummary = string.Join(' ', Enumerable.Repeat("The injured worker was evaluated and findings were documented.", 20)),
            Decisions = [new ItemDecision { ItemId = "PT", Outcome = DecisionOutcome.Upheld, ClaimsAdministratorGuideline = "MTUS", OrganizationGuideline = "MTUS Chronic Pain Treatment Guidelines Physical Medicine", Pages = "98-99", Rationale = string.Join(' ', Enumerable.Repeat("The guideline recommends a home exercise program.", 20)) }],
        };
        string[] specialties = ["Orthopedic Spine Surgery", "Psychiatry", "Internal Medicine", "Physical Medicine and Rehabilitation", "Neurological Surgery"];
        _roster = Enumerable.Range(0, 5000).Select(i => new Reviewer
        {
            ReviewerId = $"r{i:D5}",
            Name = $"Dr. {i}",
            Email = $"r{i}@example.test",
            Specialties = [specialties[i % specialties.Length]],
            BoardCertifications = [specialties[i % specialties.Length]],
            LicensedStates = ["California"],
            YearsInPractice = 5 + (i % 30),
            ActivePracticeHoursPerWeek = 16 + (i % 30),
            Affiliations = i % 7 == 0 ? [new Affiliation(AffiliationKind.ClaimsAdministrator, "Administrator 3")] : [new Affiliation(AffiliationKind.Employer, $"Employer {i % 50}")],
            Capacity = 10,
        }).ToArray();
        _matcher = new ReviewerMatcher(SpecialtyMap.Default, new MatchingRules());
        _tokens = new CallbackTokenService(new CallbackKeyRing("k1", new Dictionary<string, byte[]> { ["k1"] = new byte[32] }), TimeProvider.System);
        _token = _tokens.Issue(Claims());
        var fingerprint = ApplicationFingerprint.Of(_case);
        _onFile = Enumerable.Range(0, 5000).Select(i => new PriorApplication(fingerprint with { CaseNumber = $"CM13-{i:D7}", WorkerKey = $"worker-{i}" }, Decided: i % 2 == 0)).ToArray();
        _letter = LetterComposer.Compose(new IssuingOrganization("MAXIMUS Federal Services", "MAXIMUS"), _case, _determination, _roster[0] with { BoardCertifications = ["Orthopedic Spine Surgery"] }, new DateOnly(2013, 7, 15));
    }

    private static CallbackClaims Claims() => new("CM13-0012345", "CM13-0012345-A1", "r00001", CallbackAction.Accept, DateTimeOffset.UtcNow.AddDays(1));

    [Benchmark]
    public string RenderLetterText() => LetterTextRenderer.Render(_letter);

    [Benchmark]
    public int RenderLetterPdf() => LetterPdfRenderer.Render(_letter).Length;

    /// <summary>Screening against 5,000 applications on file (timeliness, UR outcomes, duplicates).</summary>
    [Benchmark]
    public EligibilityOutcome ScreenEligibility() => EligibilityScreening.Screen(_case, _onFile, EligibilityRules.CaliforniaWorkersCompensation).Outcome;

    [Benchmark]
    public Reviewer? MatchOver5000Reviewers() => _matcher.Match(_case, _roster, new HashSet<string>(), new Dictionary<string, ReviewerLoad>()).Selected;

    [Benchmark]
    public string SignToken() => _tokens.Issue(Claims());

    [Benchmark]
    public bool VerifyToken() => _tokens.Verify(_token, CallbackAction.Accept, "CM13-0012345-A1").IsValid;
}
