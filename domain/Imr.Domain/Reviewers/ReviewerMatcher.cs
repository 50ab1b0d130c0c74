using Imr.Domain.Cases;

namespace Imr.Domain.Reviewers;

public sealed record MatchingRules
{
    public int MinimumActivePracticeHoursPerWeek { get; init; } = 24;
    /// <summary>Empty: a license in any US state will do.</summary>
    public string RequiredLicenseState { get; init; } = "";
}

/// <summary>How busy a reviewer is: open assignments, and when the last one was offered (the fair rotation's clock).</summary>
public sealed record ReviewerLoad(int OpenAssignments, DateTimeOffset? LastAssignedAt)
{
    public static readonly ReviewerLoad None = new(0, null);
}

/// <summary>Why a reviewer was or was not chosen; <see cref="Reasons"/> lists every rule the reviewer failed.</summary>
public sealed record CandidateVerdict(string ReviewerId, bool Eligible, IReadOnlyList<string> Reasons, int OpenAssignments)
{
    public string Reason => Eligible ? "eligible" : string.Join("; ", Reasons);
}

public sealed record MatchResult(Reviewer? Selected, IReadOnlyList<CandidateVerdict> Verdicts)
{
    /// <summary>One line per candidate, for the audit trail and the medical director.</summary>
    public string Explain() => string.Join("\n", Verdicts.Select(v =>
        $"{v.ReviewerId}: {(Selected?.ReviewerId == v.ReviewerId ? "selected" : v.Eligible ? "eligible, not first in order" : "skipped")} — {v.Reason} (open {v.OpenAssignments})"));
}

/// <summary>
/// Chooses a reviewer for a case: deterministic and explainable. Eligible = suited specialty for every disputed item,
/// licensed, board-certified, enough active practice, no material affiliation with a party, not the UR reviewer or the
/// treating physician, not excluded on this case, below capacity. Among the eligible: least loaded first, ties to the one
/// assigned least recently (never assigned first), then by id — a rotation that spreads work evenly.
/// </summary>
public sealed class ReviewerMatcher(SpecialtyMap specialties, MatchingRules rules)
{
    public const string Excluded = "declined or timed out on this case";
    public const string AtCapacity = "at capacity";

    public MatchResult Match(CasePackage casePackage, IEnumerable<Reviewer> roster, IReadOnlySet<string> excludedReviewerIds, IReadOnlyDictionary<string, ReviewerLoad> loads)
    {
        // What the case asks is worked out once, not once per candidate: over a roster of thousands the per-candidate
        // normalisation of party names and the specialty lookup were nearly all of the matching's cost.
        var profile = new CaseProfile(casePackage, specialties);
        var verdicts = new List<CandidateVerdict>();
        var eligible = new List<Reviewer>();
        foreach (var reviewer in roster.OrderBy(r => r.ReviewerId, StringComparer.Ordinal))
        {
            var load = loads.GetValueOrDefault(reviewer.ReviewerId) ?? ReviewerLoad.None;
            var reasons = Disqualifications(profile, reviewer, excludedReviewerIds, load).ToList();
            verdicts.Add(new CandidateVerdict(reviewer.ReviewerId, reasons.Count == 0, reasons, load.OpenAssignments));
            if (reasons.Count == 0)
            {
                eligible.Add(reviewer);
            }
        }

        var selected = eligible
            .OrderBy(r => (loads.GetValueOrDefault(r.ReviewerId) ?? ReviewerLoad.None).OpenAssignments)
            .ThenBy(r => (loads.GetValueOrDefault(r.ReviewerId) ?? ReviewerLoad.None).LastAssignedAt ?? DateTimeOffset.MinValue)
            .ThenBy(r => r.ReviewerId, StringComparer.Ordinal)
            .FirstOrDefault();
        return new MatchResult(selected, verdicts);
    }

    /// <summary>
    /// What keeps the medical director from assigning this reviewer by hand (<see cref="ManualAssignmentRules"/>).
    /// Load and earlier declines are overridable, so neither is looked up.
    /// </summary>
    public IReadOnlyList<string> ManualAssignmentBlocking(CasePackage c, Reviewer r) =>
        ManualAssignmentRules.Blocking(Disqualifications(c, r, new HashSet<string>(), ReviewerLoad.None));

    /// <summary>Every rule the reviewer fails for this case (empty: eligible).</summary>
    public IEnumerable<string> Disqualifications(CasePackage c, Reviewer r, IReadOnlySet<string> excluded, ReviewerLoad load) =>
        Disqualifications(new CaseProfile(c, specialties), r, excluded, load);

    private IEnumerable<string> Disqualifications(CaseProfile c, Reviewer r, IReadOnlySet<string> excluded, ReviewerLoad load)
    {
        if (!r.Active) yield return "inactive";
        if (excluded.Contains(r.ReviewerId)) yield return Excluded;
        foreach (var (item, suited, suitedSet) in c.Items)
        {
            if (!r.Specialties.Any(suitedSet.Contains))
            {
                yield return $"no specialty suited to {item.Category} of the {item.BodyPart} (needs one of: {(suited.Count == 0 ? "none configured" : string.Join(", ", suited))})";
            }
        }

        if (r.BoardCertifications.Count == 0) yield return "not board-certified";
        if (r.LicensedStates.Count == 0) yield return "not licensed";
        else if (rules.RequiredLicenseState.Length > 0 && !r.LicensedStates.Contains(rules.RequiredLicenseState, StringComparer.OrdinalIgnoreCase)) yield return $"not licensed in {rules.RequiredLicenseState}";
        if (r.ActivePracticeHoursPerWeek < rules.MinimumActivePracticeHoursPerWeek) yield return $"fewer than {rules.MinimumActivePracticeHoursPerWeek} hours a week of active practice";

        var self = Affiliation.Normalize(r.Name);
        if (self == c.UtilizationReviewer) yield return "is the UR reviewer of this case";
        if (self == c.RequestingPhysician) yield return "is the worker's treating (requesting) physician";
        if (r.Affiliations.Count > 0)
        {
            var ties = r.Affiliations.Select(a => (Name: Affiliation.Normalize(a.Name), a.Kind)).ToList();
            foreach (var (party, role) in c.Parties)
            {
                var tie = ties.FindIndex(t => t.Name == party);
                if (tie >= 0) yield return $"affiliated with a party to the case: the {role} ({ties[tie].Kind} tie)";
            }
        }

        if (load.OpenAssignments >= r.Capacity) yield return AtCapacity;
    }

    /// <summary>The case's side of matching, normalised once.</summary>
    private sealed class CaseProfile
    {
        public CaseProfile(CasePackage c, SpecialtyMap specialties)
        {
            Items = c.DisputedItems.Select(item =>
            {
                var suited = specialties.SpecialtiesFor(item);
                return (item, suited, new HashSet<string>(suited, StringComparer.OrdinalIgnoreCase));
            }).ToList();
            UtilizationReviewer = Affiliation.Normalize(c.UtilizationReview.Reviewer);
            RequestingPhysician = Affiliation.Normalize(c.RequestingPhysician.Name);
            (string? Name, string Role)[] parties =
            [
                (c.Employer, "employer"),
                (c.ClaimsAdministrator, "claims administrator"),
                (c.RequestingPhysician.Name, "requesting physician"),
                (c.RequestingPhysician.MedicalGroup, "requesting physician's medical group"),
                (c.RequestingPhysician.Facility, "facility"),
                (c.Worker.Name, "worker"),
                (c.UtilizationReview.Reviewer, "UR reviewer"),
            ];
            Parties = parties.Where(p => !string.IsNullOrWhiteSpace(p.Name)).Select(p => (Affiliation.Normalize(p.Name), p.Role)).Where(p => p.Item1.Length > 0).ToList();
        }

        public IReadOnlyList<(DisputedItem Item, IReadOnlyList<string> Suited, HashSet<string> SuitedSet)> Items { get; }
        public string UtilizationReviewer { get; }
        public string RequestingPhysician { get; }
        public IReadOnlyList<(string Party, string Role)> Parties { get; }
    }
}

/// <summary>
/// What the medical director may override when assigning by hand: capacity and an earlier decline or timeout (they
/// arrange it with the reviewer). Never a conflict, a missing license or certification, or an unsuited specialty.
/// </summary>
public static class ManualAssignmentRules
{
    public static IReadOnlyList<string> Blocking(IEnumerable<string> disqualifications) =>
        disqualifications.Where(r => r is not (ReviewerMatcher.AtCapacity or ReviewerMatcher.Excluded)).ToList();
}
