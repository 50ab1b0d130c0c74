namespace Imr.Domain.Reviewers;

/// <summary>A physician reviewer on the roster. The name is never printed on a letter.</summary>
public sealed record Reviewer
{
    public required string ReviewerId { get; init; }
    public required string Name { get; init; }
    public required string Email { get; init; }
    public required IReadOnlyList<string> Specialties { get; init; }
    /// <summary>As printed on the letter, e.g. "Orthopedic Spine Surgery".</summary>
    public required IReadOnlyList<string> BoardCertifications { get; init; }
    public required IReadOnlyList<string> LicensedStates { get; init; }
    public required int YearsInPractice { get; init; }
    public required int ActivePracticeHoursPerWeek { get; init; }
    /// <summary>Organizations and people the reviewer has a professional, familial or financial tie to, by kind.</summary>
    public IReadOnlyList<Affiliation> Affiliations { get; init; } = [];
    /// <summary>Open assignments at most.</summary>
    public int Capacity { get; init; } = 10;
    public bool Active { get; init; } = true;
    /// <summary>IANA time zone, e.g. "America/Los_Angeles": due times in the reviewer's mail are shown in it.</summary>
    public string TimeZone { get; init; } = "America/Los_Angeles";
}

/// <summary>What a reviewer is tied to. The kind says how; any tie to a party to the case is material.</summary>
public enum AffiliationKind
{
    Employer,
    Insurer,
    ClaimsAdministrator,
    Physician,
    MedicalGroup,
    Facility,
    Manufacturer,
    Worker,
    Family,
    Other,
}

public sealed record Affiliation(AffiliationKind Kind, string Name)
{
    /// <summary>
    /// Other names of the same party ("GSM", "Golden State Mutual Holdings"): each is compared with the case's parties as
    /// the name is. A name that only resembles an organisation on the case holds the reviewer back for a human; an
    /// alias turns a known variant into a certain conflict.
    /// </summary>
    public IReadOnlyList<string> Aliases
    {
        get;
        init => field = value ?? []; // a JSON "aliases": null reads as none
    } = [];

    /// <summary>The name, then the aliases.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IEnumerable<string> Names => [Name, .. Aliases];

    /// <summary>Parties held by organisations rather than people: only their names are compared loosely.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsOrganization => Kind is not (AffiliationKind.Physician or AffiliationKind.Worker or AffiliationKind.Family);

    // Aliases compare by content: a re-imported roster with the same aliases is "unchanged", not "updated".
    public bool Equals(Affiliation? other) =>
        other is not null && Kind == other.Kind && Name == other.Name && Aliases.SequenceEqual(other.Aliases);

    public override int GetHashCode() => HashCode.Combine(Kind, Name, Aliases.Count);

    /// <summary>
    /// Names compare without case, punctuation, titles ("Dr.") or repeated spaces, so "Dr. Alex Example" and "alex example"
    /// are the same party. Organisations are also compared after <see cref="OrganizationName.Normalize"/>.
    /// </summary>
    public static string Normalize(string? name)
    {
        // One pass over the characters (matching normalises every candidate's ties: no LINQ chains per name).
        var result = new System.Text.StringBuilder(name?.Length ?? 0);
        var word = new System.Text.StringBuilder();
        void EndWord()
        {
            if (word.Length == 0) return;
            var w = word.ToString();
            word.Clear();
            if (w is "dr" or "md" or "do" or "phd" or "inc" or "llc" or "co") return;
            if (result.Length > 0) result.Append(' ');
            result.Append(w);
        }

        foreach (var ch in name ?? "")
        {
            if (ch == '.') continue;
            if (char.IsLetterOrDigit(ch)) word.Append(char.ToLowerInvariant(ch));
            else EndWord();
        }

        EndWord();
        return result.ToString();
    }
}
