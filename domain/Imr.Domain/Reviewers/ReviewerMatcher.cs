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

/// <summary>What matching concluded about one candidate.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<MatchVerdict>))]
public enum MatchVerdict
{
    /// <summary>May be offered the case automatically.</summary>
    Eligible,
    /// <summary>
    /// Passes every rule, but a tie's name resembles a party's without being equal (<see cref="NameMatch.Similar"/>):
    /// never offered automatically; the medical director may still assign the reviewer by hand after looking.
    /// </summary>
    PossibleConflict,
    /// <summary>Fails at least one rule (<see cref="CandidateVerdict.Reasons"/>).</summary>
    Ineligible,
}

/// <summary>
/// Why a reviewer was or was not chosen; <see cref="Reasons"/> lists every rule the reviewer failed and
/// <see cref="PossibleConflicts"/> every tie that resembles a party without being certainly the same.
/// </summary>
public sealed record CandidateVerdict(string ReviewerId, MatchVerdict Verdict, IReadOnlyList<string> Reasons, int OpenAssignments)
{
    public IReadOnlyList<string> PossibleConflicts { get; init; } = [];

    /// <summary>May be offered automatically (a possible conflict may not).</summary>
    public bool Eligible => Verdict == MatchVerdict.Eligible;

    public string Reason => Verdict switch
    {
        MatchVerdict.Eligible => "eligible",
        MatchVerdict.PossibleConflict => $"{ReviewerMatcher.HeldBack}: {string.Join("; ", PossibleConflicts)}",
        _ => string.Join("; ", Reasons.Concat(PossibleConflicts)),
    };
}

public sealed record MatchResult(Reviewer? Selected, IReadOnlyList<CandidateVerdict> Verdicts)
{
    /// <summary>One line per candidate, for the audit trail and the medical director.</summary>
    public string Explain() => string.Join("\n", Verdicts.Select(v =>
        $"{v.ReviewerId}: {(Selected?.ReviewerId == v.ReviewerId ? "selected" : v.Eligible ? "eligible, not first in order" : v.Verdict == MatchVerdict.PossibleConflict ? "held back" : "skipped")} — {v.Reason} (open {v.OpenAssignments})"));

    /// <summary>Candidates held back for a human because of a possible conflict of interest.</summary>
    public IReadOnlyList<CandidateVerdict> HeldBack => Verdicts.Where(v => v.Verdict == MatchVerdict.PossibleConflict).ToList();
}

/// <summary>
/// Chooses a reviewer for a case: deterministic and explainable. Eligible = suited specialty for every disputed item,
/// licensed, board-certified, enough active practice, no material affiliation with a party, not the UR reviewer or the
/// treating physician, not excluded on this case, below capacity. Among the eligible: least loaded first, ties to the one
/// assigned least recently (never assigned first), then by id — a rotation that spreads work evenly.
/// A tie matches a party when a name of the tie (its name or an alias) equals the party's name: for organisations after
/// <see cref="OrganizationName.Normalize"/> (or <see cref="Affiliation.Normalize"/>), for people after
/// <see cref="Affiliation.Normalize"/>. An organisation tie whose name is only <see cref="NameMatch.Similar"/> to an
/// organisation party makes a <see cref="MatchVerdict.PossibleConflict"/>: the reviewer is not offered the case
/// automatically; when nobody else is eligible the case goes to the medical director, whose audit trail says why.
/// </summary>
public sealed class ReviewerMatcher(SpecialtyMap specialties, MatchingRules rules)
{
    public const string Excluded = "declined or timed out on this case";
    public const string AtCapacity = "at capacity";
    public const string HeldBack = "possible conflict of interest, held back for the medical director";

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
            var ties = TieName.Of(reviewer);
            var reasons = Disqualifications(profile, reviewer, ties, excludedReviewerIds, load).ToList();
            var possible = PossibleConflicts(profile, ties);
            var verdict = reasons.Count > 0 ? MatchVerdict.Ineligible : possible.Count > 0 ? MatchVerdict.PossibleConflict : MatchVerdict.Eligible;
            verdicts.Add(new CandidateVerdict(reviewer.ReviewerId, verdict, reasons, load.OpenAssignments) { PossibleConflicts = possible });
            if (verdict == MatchVerdict.Eligible)
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
    /// Load and earlier declines are overridable, so neither is looked up. A possible conflict does not block: it held
    /// the reviewer back so that a human would look, and the director choosing this reviewer is that human.
    /// </summary>
    public IReadOnlyList<string> ManualAssignmentBlocking(CasePackage c, Reviewer r) =>
        ManualAssignmentRules.Blocking(Disqualifications(c, r, new HashSet<string>(), ReviewerLoad.None));

    /// <summary>Ties whose names resemble an organisation on the case without being the same (empty: none).</summary>
    public IReadOnlyList<string> PossibleConflicts(CasePackage c, Reviewer r) => PossibleConflicts(new CaseProfile(c, specialties), TieName.Of(r));

    /// <summary>Every rule the reviewer fails for this case (empty: eligible, unless held back by a possible conflict).</summary>
    public IEnumerable<string> Disqualifications(CasePackage c, Reviewer r, IReadOnlySet<string> excluded, ReviewerLoad load) =>
        Disqualifications(new CaseProfile(c, specialties), r, TieName.Of(r), excluded, load);

    private IEnumerable<string> Disqualifications(CaseProfile c, Reviewer r, IReadOnlyList<TieName> ties, IReadOnlySet<string> excluded, ReviewerLoad load)
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
        if (ties.Count > 0)
        {
            foreach (var party in c.Parties)
            {
                var tie = ties.FirstOrDefault(party.IsSame);
                if (tie is not null) yield return $"affiliated with a party to the case: the {party.Role} ({tie.Tie.Kind} tie)";
            }
        }

        if (load.OpenAssignments >= r.Capacity) yield return AtCapacity;
    }

    private static List<string> PossibleConflicts(CaseProfile c, IReadOnlyList<TieName> ties)
    {
        var found = new List<string>();
        if (ties.Count == 0) return found;
        foreach (var party in c.Parties)
        {
            // A certain tie to this party is already a disqualification; a loose one adds nothing to it.
            if (party.Organization is null || ties.Any(party.IsSame)) continue;
            var similar = ties.FirstOrDefault(t => t.Tie.IsOrganization && OrganizationName.CompareNormalized(t.Organization, party.Organization) == NameMatch.Similar);
            if (similar is not null)
            {
                // Organisation names only (never a person's): the medical director needs them to judge.
                found.Add($"the {party.Role}'s name resembles the reviewer's {similar.Tie.Kind} tie \"{similar.Name}\" (not the same name once normalised)");
            }
        }

        return found;
    }

    /// <summary>One name (the name or an alias) of a reviewer's tie, normalised as a person's and as an organisation's.</summary>
    private sealed record TieName(Affiliation Tie, string Name, string Person, string Organization)
    {
        public static List<TieName> Of(Reviewer r) => r.Affiliations.Count == 0
            ? []
            : r.Affiliations.SelectMany(a => a.Names.Select(n => new TieName(a, n, Affiliation.Normalize(n), OrganizationName.Normalize(n)))).ToList();
    }

    /// <summary>A party to the case, its name normalised once as a person's and, for an organisation, as an organisation's.</summary>
    private sealed record Party(string Role, string Person, string? Organization)
    {
        /// <summary>People compare as people; an organisation also as an organisation (either equality is a conflict).</summary>
        public bool IsSame(TieName t) => t.Person == Person || (Organization is not null && t.Organization == Organization);
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
            (string? Name, string Role, bool Organization)[] parties =
            [
                (c.Employer, "employer", true),
                (c.ClaimsAdministrator, "claims administrator", true),
                (c.RequestingPhysician.Name, "requesting physician", false),
                (c.RequestingPhysician.MedicalGroup, "requesting physician's medical group", true),
                (c.RequestingPhysician.Facility, "facility", true),
                (c.Worker.Name, "worker", false),
                (c.UtilizationReview.Reviewer, "UR reviewer", false),
            ];
            Parties = parties
                .Where(p => !string.IsNullOrWhiteSpace(p.Name))
                .Select(p => new Party(p.Role, Affiliation.Normalize(p.Name), p.Organization ? OrganizationName.Normalize(p.Name) : null))
                .Where(p => p.Person.Length > 0)
                .ToList();
        }

        public IReadOnlyList<(DisputedItem Item, IReadOnlyList<string> Suited, HashSet<string> SuitedSet)> Items { get; }
        public string UtilizationReviewer { get; }
        public string RequestingPhysician { get; }
        public IReadOnlyList<Party> Parties { get; }
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
