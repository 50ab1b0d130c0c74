using Imr.Domain.Cases;
using Imr.Domain.Programs;

namespace Imr.Domain.Reviewers;

/// <summary>
/// One line of the specialty map: for a treatment category (a taxonomy key, or any name the taxonomy maps), optionally
/// only for one sub-category and only for some body parts, the specialties suited to review it. The most specific rule
/// wins: sub-category and body part, then sub-category, then body part, then the category's general rule.
/// </summary>
public sealed record SpecialtyRule
{
    public required string Category { get; init; }
    /// <summary>Null: every sub-category.</summary>
    public string? SubCategory { get; init; }
    /// <summary>Empty: every body part. For health-plan cases the "body part" is the diagnosis (e.g. "Cancer: Breast").</summary>
    public IReadOnlyList<string> BodyParts { get; init; } = [];
    public required IReadOnlyList<string> Specialties { get; init; }
}

/// <summary>
/// Which specialties may review which treatment of which body part (configuration, not code: setting
/// <c>Matching:SpecialtyRules</c>). Categories are compared through the treatment taxonomy, so an item filed as
/// "Injection" (an older value) and a rule for "Injections" meet; a category outside the taxonomy compares by name.
/// </summary>
public sealed class SpecialtyMap
{
    private readonly List<(SpecialtyRule Rule, string Category, string? Sub, string[] BodyParts)> classified;

    public SpecialtyMap(IReadOnlyList<SpecialtyRule> rules, TreatmentTaxonomy? taxonomy = null)
    {
        Rules = rules;
        Taxonomy = taxonomy ?? TreatmentTaxonomy.Default;
        classified = rules.Select(r =>
        {
            var (category, sub) = ClassOf(r.Category, r.SubCategory);
            return (r, category, sub, r.BodyParts.Select(Affiliation.Normalize).ToArray());
        }).ToList();
    }

    public IReadOnlyList<SpecialtyRule> Rules { get; }
    public TreatmentTaxonomy Taxonomy { get; }

    /// <summary>The specialties suited to an item; none when no rule covers its category (the case then goes to the medical director).</summary>
    public IReadOnlyList<string> SpecialtiesFor(DisputedItem item)
    {
        var (category, sub) = ClassOf(item.Category, item.SubCategory);
        var forCategory = classified.Where(r => string.Equals(r.Category, category, StringComparison.OrdinalIgnoreCase)).ToList();
        var bodyPart = Affiliation.Normalize(item.BodyPart);
        bool SameSub(string? ruleSub) => ruleSub is not null && sub is not null && TreatmentTaxonomy.Normalize(ruleSub) == TreatmentTaxonomy.Normalize(sub);
        bool ForBodyPart(string[] parts) => parts.Any(b => bodyPart.Contains(b, StringComparison.Ordinal));
        var tiers = new[]
        {
            forCategory.Where(r => SameSub(r.Sub) && ForBodyPart(r.BodyParts)),
            forCategory.Where(r => SameSub(r.Sub) && r.BodyParts.Length == 0),
            forCategory.Where(r => r.Sub is null && ForBodyPart(r.BodyParts)),
            forCategory.Where(r => r.Sub is null && r.BodyParts.Length == 0),
        };
        var chosen = tiers.Select(t => t.ToList()).FirstOrDefault(t => t.Count > 0) ?? [];
        return chosen.SelectMany(r => r.Rule.Specialties).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    private (string Category, string? Sub) ClassOf(string category, string? subCategory) =>
        Taxonomy.Classify(category, subCategory) is { } c ? (c.Category, c.SubCategory) : (category, subCategory);

    private static SpecialtyRule R(string category, string[] specialties, string? sub = null, string[]? bodyParts = null) =>
        new() { Category = category, SubCategory = sub, BodyParts = bodyParts ?? [], Specialties = specialties };

    private static readonly string[] Spine = ["spine", "lumbar", "cervical", "thoracic", "back", "neck"];
    private const string Pmr = "Physical Medicine and Rehabilitation";

    /// <summary>
    /// The documented default over the treatment taxonomy (docs/programs.md, "Specialty map"). The older categories
    /// keep their specialties: "PhysicalTherapy" is Rehabilitation/PhysicalTherapy, "Imaging" DiagnosticTesting/Imaging,
    /// "Medication" Pharmaceuticals, "Psychological" BehavioralMentalHealth.
    /// </summary>
    public static SpecialtyMap Default { get; } = new(
    [
        R(TreatmentTaxonomy.Rehabilitation, [Pmr, "Orthopedic Surgery", "Neurology"]),
        R(TreatmentTaxonomy.Rehabilitation, ["Orthopedic Surgery", Pmr], "PhysicalTherapy"),
        R(TreatmentTaxonomy.Rehabilitation, ["Orthopedic Spine Surgery", "Orthopedic Surgery", Pmr], "PhysicalTherapy", Spine),
        R(TreatmentTaxonomy.Rehabilitation, [Pmr, "Otolaryngology", "Neurology", "Pediatrics"], "SpeechTherapy"),
        R(TreatmentTaxonomy.Rehabilitation, [Pmr, "Internal Medicine"], "SkilledNursingFacility"),
        R(TreatmentTaxonomy.Surgery, ["Orthopedic Surgery"]),
        R(TreatmentTaxonomy.Surgery, ["Orthopedic Spine Surgery", "Neurological Surgery"], bodyParts: ["spine", "lumbar", "cervical", "thoracic"]),
        R(TreatmentTaxonomy.Surgery, ["Hand Surgery", "Orthopedic Surgery", "Plastic Surgery"], bodyParts: ["hand", "wrist"]),
        R(TreatmentTaxonomy.Surgery, ["Orthopedic Spine Surgery", "Neurological Surgery"], "Spine"),
        R(TreatmentTaxonomy.Surgery, ["Orthopedic Surgery"], "Orthopedic"),
        R(TreatmentTaxonomy.Surgery, ["Orthopedic Spine Surgery", "Neurological Surgery"], "Orthopedic", ["spine", "lumbar", "cervical", "thoracic"]),
        R(TreatmentTaxonomy.Surgery, ["General Surgery"], "General"),
        R(TreatmentTaxonomy.Surgery, ["General Surgery", "Bariatric Surgery"], "Bariatric"),
        R(TreatmentTaxonomy.Surgery, ["Plastic Surgery"], "Reconstructive"),
        R(TreatmentTaxonomy.Surgery, ["Neurological Surgery"], "Neurosurgery"),
        R(TreatmentTaxonomy.Surgery, ["Cardiology", "Thoracic and Cardiovascular Surgery", "Vascular Surgery"], "Cardiovascular"),
        R(TreatmentTaxonomy.Surgery, ["Otolaryngology"], "Otolaryngology"),
        R(TreatmentTaxonomy.Surgery, ["Obstetrics and Gynecology"], "Gynecologic"),
        R(TreatmentTaxonomy.Surgery, ["Urology"], "Urologic"),
        R(TreatmentTaxonomy.Surgery, ["Ophthalmology"], "Ophthalmic"),
        R(TreatmentTaxonomy.Pharmaceuticals, ["Pain Medicine", Pmr, "Internal Medicine"]),
        R(TreatmentTaxonomy.Pharmaceuticals, ["Medical Oncology", "Hematology and Oncology"], bodyParts: ["cancer"]),
        R(TreatmentTaxonomy.Pharmaceuticals, ["Psychiatry"], bodyParts: ["mental", "autism"]),
        R(TreatmentTaxonomy.Pharmaceuticals, ["Infectious Disease", "Internal Medicine", "Gastroenterology"], bodyParts: ["infectious"]),
        R(TreatmentTaxonomy.Pharmaceuticals, ["Pain Medicine", Pmr, "Anesthesiology"], "Opioids"),
        R(TreatmentTaxonomy.Pharmaceuticals, ["Pain Medicine", Pmr, "Internal Medicine"], "TopicalAnalgesics"),
        R(TreatmentTaxonomy.Pharmaceuticals, ["Pain Medicine", Pmr, "Internal Medicine"], "MuscleRelaxants"),
        R(TreatmentTaxonomy.Pharmaceuticals, ["Infectious Disease", "Internal Medicine", "Gastroenterology"], "AntiVirals"),
        R(TreatmentTaxonomy.Pharmaceuticals, ["Psychiatry"], "Antidepressants"),
        R(TreatmentTaxonomy.DiagnosticTesting, ["Radiology", "Internal Medicine", "Orthopedic Surgery", Pmr]),
        R(TreatmentTaxonomy.DiagnosticTesting, ["Radiology", "Medical Oncology"], bodyParts: ["cancer"]),
        R(TreatmentTaxonomy.DiagnosticTesting, ["Cardiology", "Radiology"], bodyParts: ["cardiac"]),
        R(TreatmentTaxonomy.DiagnosticTesting, ["Orthopedic Surgery", "Radiology", Pmr], "Imaging"),
        R(TreatmentTaxonomy.DiagnosticTesting, ["Neurology", "Radiology"], "Imaging", ["brain", "head"]),
        R(TreatmentTaxonomy.DiagnosticTesting, [Pmr, "Neurology"], "Electrodiagnostic"),
        R(TreatmentTaxonomy.Dmepos, [Pmr, "Orthopedic Surgery", "Internal Medicine"]),
        R(TreatmentTaxonomy.Injections, ["Pain Medicine", "Anesthesiology", Pmr]),
        R(TreatmentTaxonomy.Injections, ["Pain Medicine", "Anesthesiology", Pmr, "Orthopedic Spine Surgery"], bodyParts: Spine),
        R(TreatmentTaxonomy.Injections, ["Neurology", Pmr, "Pain Medicine"], "Botulinum"),
        R(TreatmentTaxonomy.EvaluationAndManagement, ["Internal Medicine", "Family Medicine", Pmr, "Orthopedic Surgery"]),
        R(TreatmentTaxonomy.Programs, [Pmr, "Pain Medicine", "Psychiatry"]),
        R(TreatmentTaxonomy.Programs, ["Internal Medicine", "Endocrinology", "General Surgery"], "WeightLoss"),
        R(TreatmentTaxonomy.Programs, [Pmr, "Neurology"], "BrainInjury"),
        R(TreatmentTaxonomy.Programs, ["Addiction Medicine", "Psychiatry"], "SubstanceUse"),
        R(TreatmentTaxonomy.BehavioralMentalHealth, ["Psychiatry", "Psychology"]),
        R(TreatmentTaxonomy.Acupuncture, ["Acupuncture", Pmr, "Pain Medicine"]),
        R(TreatmentTaxonomy.Chiropractic, ["Chiropractic", Pmr]),
        R(TreatmentTaxonomy.HomeHealth, ["Internal Medicine", Pmr, "Family Medicine"]),
        R(TreatmentTaxonomy.Procedures, ["Pain Medicine", "Anesthesiology", "Internal Medicine"]),
        R(TreatmentTaxonomy.Procedures, ["Cardiology"], bodyParts: ["cardiac"]),
        R(TreatmentTaxonomy.CancerTreatment, ["Medical Oncology", "Hematology and Oncology"]),
        R(TreatmentTaxonomy.CancerTreatment, ["Radiation Oncology"], "RadiationOncology"),
        R(TreatmentTaxonomy.CancerTreatment, ["Surgical Oncology", "General Surgery"], "Surgery"),
        R(TreatmentTaxonomy.AcuteCare, ["Internal Medicine", "Emergency Medicine", "Family Medicine"]),
        R(TreatmentTaxonomy.AcuteCare, ["Psychiatry"], bodyParts: ["mental"]),
        R(TreatmentTaxonomy.AcuteCare, ["Emergency Medicine"], "Emergency"),
        R(TreatmentTaxonomy.AlternativeTreatment, [Pmr, "Family Medicine", "Internal Medicine"]),
        R(TreatmentTaxonomy.Vision, ["Ophthalmology", "Optometry"]),
        R(TreatmentTaxonomy.Dental, ["Oral and Maxillofacial Surgery", "Dentistry"]),
    ]);
}
