using Imr.Domain.Cases;
using Imr.Domain.Determinations;
using Imr.Domain.Reviewers;

namespace Imr.Domain.Tests;

/// <summary>The case of the sample letter in ../shared/seeds, as the domain sees it.</summary>
internal static class SampleData
{
    public static CasePackage Package(Action<List<DisputedItem>>? items = null)
    {
        var list = new List<DisputedItem>
        {
            new() { ItemId = "PT-LUMBAR-12", Description = "12 Physical Therapy sessions for the lumbar spine", Category = "PhysicalTherapy", BodyPart = "lumbar spine" },
        };
        items?.Invoke(list);
        return new CasePackage
        {
            CaseNumber = "CM13-0012345",
            Worker = new InjuredWorker { Name = "Sample Worker", AgeYears = 54, Sex = Sex.Male, DateOfInjury = new DateOnly(2011, 5, 24), BodyParts = ["low back", "bilateral hips"], Mechanism = "cumulative trauma" },
            Employer = "Sample Manufacturing Co.",
            ClaimsAdministrator = "Sample Claims Services",
            RequestingPhysician = new RequestingPhysician { Name = "Dr. Alex Example", MedicalGroup = "Example Orthopedic Medical Group" },
            UtilizationReview = new UtilizationReview { DecisionDate = new DateOnly(2013, 6, 3), Reviewer = "Dr. Robin Review", GuidelineCited = "MTUS Chronic Pain Treatment Guidelines Physical Medicine" },
            DisputedItems = list,
            ApplicationDate = new DateOnly(2013, 6, 20),
        };
    }

    public static Reviewer Reviewer(string id, Action<ReviewerBuilder>? change = null)
    {
        var b = new ReviewerBuilder { Id = id };
        change?.Invoke(b);
        return new Reviewer
        {
            ReviewerId = id,
            Name = $"Dr. {id}",
            Email = $"{id}@example.test",
            Specialties = b.Specialties,
            BoardCertifications = ["Orthopedic Spine Surgery"],
            LicensedStates = ["Texas"],
            YearsInPractice = 7,
            ActivePracticeHoursPerWeek = b.Hours,
            Affiliations = b.Affiliations.Select(a => new Affiliation(AffiliationKind.Other, a)).ToList(),
            Capacity = b.Capacity,
            Active = b.Active,
        };
    }

    public sealed class ReviewerBuilder
    {
        public string Id { get; set; } = "";
        public string[] Specialties { get; set; } = ["Orthopedic Spine Surgery"];
        public string[] Affiliations { get; set; } = [];
        public int Hours { get; set; } = 24;
        public int Capacity { get; set; } = 10;
        public bool Active { get; set; } = true;
    }

    public static Determination Determination(DecisionOutcome outcome = DecisionOutcome.Upheld) => new()
    {
        ClinicalCaseSummary = "The injured worker is a 54-year-old male who reported an injury on 05/24/2011 due to cumulative trauma.",
        Decisions =
        [
            new ItemDecision
            {
                ItemId = "PT-LUMBAR-12",
                Outcome = outcome,
                ClaimsAdministratorGuideline = "MTUS Chronic Pain Treatment Guidelines Physical Medicine",
                OrganizationGuideline = "MTUS Chronic Pain Treatment Guidelines Physical Medicine",
                Pages = "98-99",
                Rationale = "As such, the requested 12 physical therapy sessions are not medically necessary or appropriate.",
            },
        ],
    };
}
