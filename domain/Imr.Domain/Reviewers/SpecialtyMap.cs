using Imr.Domain.Cases;

namespace Imr.Domain.Reviewers;

/// <summary>
/// One line of the specialty map: for a treatment category, and optionally only for some body parts, the specialties
/// suited to review it. A rule naming body parts wins over the category's general rule.
/// </summary>
public sealed record SpecialtyRule
{
    public required string Category { get; init; }
    /// <summary>Empty: every body part.</summary>
    public IReadOnlyList<string> BodyParts { get; init; } = [];
    public required IReadOnlyList<string> Specialties { get; init; }
}

/// <summary>Which specialties may review which treatment of which body part (configuration, not code: setting <c>Matching:SpecialtyRules</c>).</summary>
public sealed class SpecialtyMap(IReadOnlyList<SpecialtyRule> rules)
{
    public IReadOnlyList<SpecialtyRule> Rules { get; } = rules;

    /// <summary>The specialties suited to an item; none when no rule covers its category (the case then goes to the medical director).</summary>
    public IReadOnlyList<string> SpecialtiesFor(DisputedItem item)
    {
        var forCategory = Rules.Where(r => string.Equals(r.Category, item.Category, StringComparison.OrdinalIgnoreCase)).ToList();
        var bodyPart = Affiliation.Normalize(item.BodyPart);
        var specific = forCategory.Where(r => r.BodyParts.Any(b => bodyPart.Contains(Affiliation.Normalize(b), StringComparison.Ordinal))).ToList();
        var chosen = specific.Count > 0 ? specific : forCategory.Where(r => r.BodyParts.Count == 0).ToList();
        return chosen.SelectMany(r => r.Specialties).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <summary>The documented default (README, "Specialty map").</summary>
    public static SpecialtyMap Default { get; } = new(
    [
        new() { Category = "PhysicalTherapy", Specialties = ["Orthopedic Surgery", "Physical Medicine and Rehabilitation"] },
        new() { Category = "PhysicalTherapy", BodyParts = ["spine", "lumbar", "cervical", "thoracic", "back", "neck"], Specialties = ["Orthopedic Spine Surgery", "Orthopedic Surgery", "Physical Medicine and Rehabilitation"] },
        new() { Category = "Surgery", Specialties = ["Orthopedic Surgery"] },
        new() { Category = "Surgery", BodyParts = ["spine", "lumbar", "cervical", "thoracic"], Specialties = ["Orthopedic Spine Surgery", "Neurological Surgery"] },
        new() { Category = "Surgery", BodyParts = ["hand", "wrist"], Specialties = ["Hand Surgery", "Orthopedic Surgery", "Plastic Surgery"] },
        new() { Category = "Medication", Specialties = ["Pain Medicine", "Physical Medicine and Rehabilitation", "Internal Medicine"] },
        new() { Category = "Imaging", Specialties = ["Orthopedic Surgery", "Radiology", "Physical Medicine and Rehabilitation"] },
        new() { Category = "Imaging", BodyParts = ["brain", "head"], Specialties = ["Neurology", "Radiology"] },
        new() { Category = "Psychological", Specialties = ["Psychiatry", "Psychology"] },
    ]);
}
