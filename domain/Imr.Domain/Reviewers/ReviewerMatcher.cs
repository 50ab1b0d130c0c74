using Imr.Domain.Cases;

namespace Imr.Domain.Reviewers;

/// <summary>Which specialties may review which treatment category (configuration, not code).</summary>
public sealed class SpecialtyMap
{
    private readonly Dictionary<string, string[]> _byCategory;

    public SpecialtyMap(IReadOnlyDictionary<string, string[]> specialtiesByCategory) =>
        _byCategory = new Dictionary<string, string[]>(specialtiesByCategory, StringComparer.OrdinalIgnoreCase);

    public IReadOnlyList<string> SpecialtiesFor(DisputedItem item) =>
        _byCategory.TryGetValue(item.Category, out var s) ? s : [];

    public static SpecialtyMap Default { get; } = new(new Dictionary<string, string[]>
    {
        ["PhysicalTherapy"] = ["Orthopedic Surgery", "Orthopedic Spine Surgery", "Physical Medicine and Rehabilitation"],
        ["Surgery"] = ["Orthopedic Surgery", "Orthopedic Spine Surgery", "Neurological Surgery"],
        ["Medication"] = ["Pain Medicine", "Physical Medicine and Rehabilitation", "Internal Medicine"],
        ["Imaging"] = ["Orthopedic Surgery", "Radiology", "Physical Medicine and Rehabilitation"],
        ["Psychological"] = ["Psychiatry", "Psychology"],
    });
}

public sealed record MatchingRules
{
    public int MinimumActivePracticeHoursPerWeek { get; init; } = 24;
    public string RequiredLicenseState { get; init; } = ""; // empty: any US state
}

public sealed record CandidateVerdict(string ReviewerId, bool Eligible, string Reason);

public sealed record MatchResult(Reviewer? Selected, IReadOnlyList<CandidateVerdict> Verdicts);

/// <summary>Chooses a reviewer for a case: deterministic and explainable (every skipped candidate has a reason).</summary>
public sealed class ReviewerMatcher(SpecialtyMap specialties, MatchingRules rules)
{
    public MatchResult Match(CasePackage casePackage, IEnumerable<Reviewer> roster, IReadOnlySet<string> excludedReviewerIds, IReadOnlyDictionary<string, int> openCasesByReviewer)
    {
        var verdicts = new List<CandidateVerdict>();
        var eligible = new List<Reviewer>();
        var needed = casePackage.DisputedItems.Select(specialties.SpecialtiesFor).ToList();
        var parties = Parties(casePackage);

        foreach (var reviewer in roster.OrderBy(r => r.ReviewerId, StringComparer.Ordinal))
        {
            var reason = Disqualification(reviewer, needed, parties, excludedReviewerIds, openCasesByReviewer);
            verdicts.Add(new CandidateVerdict(reviewer.ReviewerId, reason is null, reason ?? "eligible"));
            if (reason is null)
            {
                eligible.Add(reviewer);
            }
        }

        // Least loaded first; ties go to the lowest id so the choice is reproducible.
        var selected = eligible
            .OrderBy(r => openCasesByReviewer.GetValueOrDefault(r.ReviewerId))
            .ThenBy(r => r.ReviewerId, StringComparer.Ordinal)
            .FirstOrDefault();
        return new MatchResult(selected, verdicts);
    }

    private string? Disqualification(Reviewer r, List<IReadOnlyList<string>> needed, HashSet<string> parties, IReadOnlySet<string> excluded, IReadOnlyDictionary<string, int> load)
    {
        if (!r.Active) return "inactive";
        if (excluded.Contains(r.ReviewerId)) return "declined or timed out on this case";
        if (needed.Any(n => !n.Intersect(r.Specialties, StringComparer.OrdinalIgnoreCase).Any())) return "no specialty suited to every disputed item";
        if (r.BoardCertifications.Count == 0) return "not board-certified";
        if (r.LicensedStates.Count == 0 || (rules.RequiredLicenseState.Length > 0 && !r.LicensedStates.Contains(rules.RequiredLicenseState, StringComparer.OrdinalIgnoreCase))) return "not licensed as required";
        if (r.ActivePracticeHoursPerWeek < rules.MinimumActivePracticeHoursPerWeek) return $"fewer than {rules.MinimumActivePracticeHoursPerWeek} hours a week of active practice";
        if (r.Affiliations.Any(parties.Contains)) return "affiliated with a party to the case";
        if (load.GetValueOrDefault(r.ReviewerId) >= r.Capacity) return "at capacity";
        return null;
    }

    private static HashSet<string> Parties(CasePackage c)
    {
        var parties = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            c.Employer, c.ClaimsAdministrator, c.RequestingPhysician.Name, c.Worker.Name, c.UtilizationReview.Reviewer,
        };
        if (c.RequestingPhysician.MedicalGroup is { } g) parties.Add(g);
        if (c.RequestingPhysician.Facility is { } f) parties.Add(f);
        return parties;
    }
}
