namespace Imr.Domain.Programs;

/// <summary>One category of the treatment taxonomy, with its sub-categories, as the DWC and the DMHC report IMR requests.</summary>
public sealed record TreatmentCategory(string Key, string Name, IReadOnlyList<string> SubCategories);

/// <summary>Where a disputed item falls in the taxonomy: a category key and, when known, a sub-category.</summary>
public sealed record TreatmentClass(string Category, string? SubCategory);

/// <summary>
/// The treatment taxonomy of the DWC's IMR reports (pharmaceuticals and their sub-categories, rehabilitation, diagnostic
/// testing, DMEPOS, injections, evaluation and management, programs, behavioral and mental health, surgery...) extended
/// by the categories the DMHC reports for health-plan enrollees (cancer treatment, acute care, vision, dental...).
/// A package's <c>category</c> may be a category key, an older value of this app ("PhysicalTherapy", "Medication",
/// "Imaging", "Psychological", "Injection") or a category as the DMHC's published data names it: <see cref="Classify"/>
/// maps each to one category (and a sub-category where the old value or the DMHC sub-category says one).
/// </summary>
public sealed class TreatmentTaxonomy
{
    private readonly Dictionary<string, TreatmentClass> aliases = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TreatmentClass> pairs = new(StringComparer.Ordinal);

    public TreatmentTaxonomy(IReadOnlyList<TreatmentCategory> categories, IReadOnlyDictionary<string, TreatmentClass> aliases, IReadOnlyDictionary<string, TreatmentClass>? subCategoryAliases = null)
    {
        Categories = categories;
        foreach (var c in categories)
        {
            this.aliases[Normalize(c.Key)] = new TreatmentClass(c.Key, null);
            this.aliases[Normalize(c.Name)] = new TreatmentClass(c.Key, null);
        }

        foreach (var (name, cls) in aliases)
        {
            this.aliases[Normalize(name)] = cls;
        }

        foreach (var (name, cls) in subCategoryAliases ?? new Dictionary<string, TreatmentClass>())
        {
            var bar = name.IndexOf('|', StringComparison.Ordinal);
            pairs[Normalize(name[..bar]) + "|" + Normalize(name[(bar + 1)..])] = cls;
        }
    }

    public IReadOnlyList<TreatmentCategory> Categories { get; }

    /// <summary>
    /// The taxonomy class of a category as filed (and its sub-category, if any), or null when the category is not in the
    /// taxonomy. A (category, sub-category) pair the taxonomy knows wins (the DMHC files an epidural injection under
    /// "Pain Management"); else the category's class, keeping the filed sub-category when the category does not imply one.
    /// </summary>
    public TreatmentClass? Classify(string? category, string? subCategory = null)
    {
        var key = Normalize(category);
        if (key.Length == 0) return null;
        var sub = string.IsNullOrWhiteSpace(subCategory) ? null : subCategory.Trim();
        if (sub is not null && pairs.TryGetValue(key + "|" + Normalize(sub), out var pair))
        {
            return pair with { SubCategory = pair.SubCategory ?? sub };
        }

        if (!aliases.TryGetValue(key, out var cls)) return null;
        return cls.SubCategory is null ? cls with { SubCategory = sub } : cls;
    }

    public TreatmentCategory? Find(string key) => Categories.FirstOrDefault(c => string.Equals(c.Key, key, StringComparison.OrdinalIgnoreCase));

    /// <summary>Letters and digits, lower case: "Pharmacy/Prescription Drugs" and "pharmacy prescription drugs" are one name.</summary>
    public static string Normalize(string? text) => text is null ? "" : new string(text.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());

    public const string Pharmaceuticals = "Pharmaceuticals";
    public const string Rehabilitation = "Rehabilitation";
    public const string DiagnosticTesting = "DiagnosticTesting";
    public const string Dmepos = "Dmepos";
    public const string Injections = "Injections";
    public const string EvaluationAndManagement = "EvaluationAndManagement";
    public const string Programs = "Programs";
    public const string BehavioralMentalHealth = "BehavioralMentalHealth";
    public const string Surgery = "Surgery";
    public const string Acupuncture = "Acupuncture";
    public const string Chiropractic = "Chiropractic";
    public const string HomeHealth = "HomeHealth";
    public const string Procedures = "Procedures";
    public const string CancerTreatment = "CancerTreatment";
    public const string AcuteCare = "AcuteCare";
    public const string AlternativeTreatment = "AlternativeTreatment";
    public const string Vision = "Vision";
    public const string Dental = "Dental";

    private static TreatmentClass C(string category, string? sub = null) => new(category, sub);

    /// <summary>The built-in taxonomy (docs/programs.md lists it).</summary>
    public static TreatmentTaxonomy Default { get; } = new(
        [
            new(Pharmaceuticals, "Pharmaceuticals", ["Opioids", "TopicalAnalgesics", "MuscleRelaxants", "Nsaids", "Anticonvulsants", "Antidepressants", "SedativesHypnotics", "ProtonPumpInhibitors", "AntiVirals", "Hormones", "Biologics", "CompoundedDrugs", "Other"]),
            new(Rehabilitation, "Rehabilitation", ["PhysicalTherapy", "OccupationalTherapy", "SpeechTherapy", "WorkConditioning", "SkilledNursingFacility", "Other"]),
            new(DiagnosticTesting, "Diagnostic testing", ["Imaging", "Electrodiagnostic", "Laboratory", "Screening", "Other"]),
            new(Dmepos, "Durable medical equipment, prosthetics, orthotics and supplies (DMEPOS)", ["Braces", "Orthotics", "Prosthesis", "Wheelchair", "TensUnit", "Other"]),
            new(Injections, "Injections", ["EpiduralSteroid", "FacetJoint", "TriggerPoint", "JointInjection", "NerveBlock", "Botulinum", "Other"]),
            new(EvaluationAndManagement, "Evaluation and management", ["OfficeVisit", "SpecialistConsultation", "Referral"]),
            new(Programs, "Programs", ["FunctionalRestoration", "BrainInjury", "WeightLoss", "PainProgram", "SubstanceUse"]),
            new(BehavioralMentalHealth, "Behavioral and mental health", ["Psychotherapy", "PsychiatricAdmission", "ResidentialTreatment", "AppliedBehaviorAnalysis", "Neuromodulation"]),
            new(Surgery, "Surgery", ["Spine", "Orthopedic", "General", "Bariatric", "Reconstructive", "Neurosurgery", "Cardiovascular", "Otolaryngology", "Gynecologic", "Urologic", "Ophthalmic"]),
            new(Acupuncture, "Acupuncture", []),
            new(Chiropractic, "Chiropractic", []),
            new(HomeHealth, "Home health", ["SkilledNursingVisits", "Infusions", "Other"]),
            new(Procedures, "Procedures", ["RadiofrequencyAblation", "Neurostimulation", "Anesthesia", "Transplant", "HyperbaricOxygen", "Other"]),
            new(CancerTreatment, "Cancer treatment", ["Chemotherapy", "RadiationOncology", "ClinicalTrial", "Surgery", "Other"]),
            new(AcuteCare, "Acute care", ["Inpatient", "Outpatient", "Emergency"]),
            new(AlternativeTreatment, "Alternative treatment", ["Biofeedback", "Other"]),
            new(Vision, "Vision", []),
            new(Dental, "Dental", []),
        ],
        new Dictionary<string, TreatmentClass>
        {
            // Older values of this app's package.
            ["Medication"] = C(Pharmaceuticals),
            ["PhysicalTherapy"] = C(Rehabilitation, "PhysicalTherapy"),
            ["Imaging"] = C(DiagnosticTesting, "Imaging"),
            ["Psychological"] = C(BehavioralMentalHealth),
            ["Injection"] = C(Injections),
            // DWC report names.
            ["Behavioral/Mental Health"] = C(BehavioralMentalHealth),
            ["Durable Medical Equipment"] = C(Dmepos),
            ["DME"] = C(Dmepos),
            ["Evaluation & Management"] = C(EvaluationAndManagement),
            ["Home Health Care"] = C(HomeHealth),
            // DMHC report names (ca-dmhc-imr-determinations.csv).
            ["Pharmacy/Prescription Drugs"] = C(Pharmaceuticals),
            ["Diagnostic Imaging, Screening and Testing"] = C(DiagnosticTesting),
            ["Preventive Health Screening"] = C(DiagnosticTesting, "Screening"),
            ["Mental Health Treatment"] = C(BehavioralMentalHealth),
            ["Autism Related Treatment"] = C(BehavioralMentalHealth, "AppliedBehaviorAnalysis"),
            ["General Surgery"] = C(Surgery, "General"),
            ["Orthopedic"] = C(Surgery, "Orthopedic"),
            ["Reconstructive/Plastic Surgery"] = C(Surgery, "Reconstructive"),
            ["Neurosugery"] = C(Surgery, "Neurosurgery"), // sic, as the DMHC data spells it
            ["Neurosurgery"] = C(Surgery, "Neurosurgery"),
            ["Cardio Vascular"] = C(Surgery, "Cardiovascular"),
            ["Ear, Nose and Throat Procedures"] = C(Surgery, "Otolaryngology"),
            ["OB/GYN Procedures"] = C(Surgery, "Gynecologic"),
            ["Urology"] = C(Surgery, "Urologic"),
            ["Ophthalmology"] = C(Surgery, "Ophthalmic"),
            ["Rehabilitation Services - Outpatient"] = C(Rehabilitation),
            ["Rehabilitation Services - Skilled Nursing Facility - Inpatient"] = C(Rehabilitation, "SkilledNursingFacility"),
            ["Electrical/ Thermal/ Radiofreq. Interventions"] = C(Procedures),
            ["Special Procedure"] = C(Procedures),
            ["Pain Management"] = C(Programs, "PainProgram"),
            ["Diagnostic/Physician Evaluation"] = C(EvaluationAndManagement),
            ["Acute Medical Services - Outpatient"] = C(AcuteCare, "Outpatient"),
            ["Acute Medical Services - Inpatient"] = C(AcuteCare, "Inpatient"),
            ["Emergency/Urgent Care"] = C(AcuteCare, "Emergency"),
            ["Alternative Treatment"] = C(AlternativeTreatment),
            ["Dental/Orthodontic"] = C(Dental),
        },
        new Dictionary<string, TreatmentClass>
        {
            ["Pain Management|Epidural Injection"] = C(Injections, "EpiduralSteroid"),
            ["Pain Management|Steroid Injection"] = C(Injections, "JointInjection"),
            ["Pain Management|Nerve Block"] = C(Injections, "NerveBlock"),
            ["Pain Management|Analgesic Prescription/Medication"] = C(Pharmaceuticals),
            ["Pain Management|Referral to Pain Clinic"] = C(EvaluationAndManagement, "Referral"),
            ["Alternative Treatment|Acupuncture"] = C(Acupuncture),
            ["Alternative Treatment|Acupressure"] = C(Acupuncture),
            ["Alternative Treatment|Biofeedback"] = C(AlternativeTreatment, "Biofeedback"),
            ["Electrical/ Thermal/ Radiofreq. Interventions|Transcranial Magnetic Stimulation"] = C(BehavioralMentalHealth, "Neuromodulation"),
            ["Electrical/ Thermal/ Radiofreq. Interventions|ECT - Electro-Convulsive Therapy"] = C(BehavioralMentalHealth, "Neuromodulation"),
            ["Electrical/ Thermal/ Radiofreq. Interventions|Radiation Therapy"] = C(CancerTreatment, "RadiationOncology"),
            ["Electrical/ Thermal/ Radiofreq. Interventions|Proton Beam Therapy"] = C(CancerTreatment, "RadiationOncology"),
            ["Electrical/ Thermal/ Radiofreq. Interventions|Radiofrequency Ablation"] = C(Procedures, "RadiofrequencyAblation"),
            ["Acute Medical Services - Outpatient|Physical Therapy"] = C(Rehabilitation, "PhysicalTherapy"),
            ["Acute Medical Services - Outpatient|Occupational Therapy"] = C(Rehabilitation, "OccupationalTherapy"),
            ["Acute Medical Services - Outpatient|Speech Therapy"] = C(Rehabilitation, "SpeechTherapy"),
            ["Acute Medical Services - Outpatient|Emergency Room"] = C(AcuteCare, "Emergency"),
            ["Rehabilitation Services - Outpatient|Traumatic Brain Injury Program"] = C(Programs, "BrainInjury"),
            ["Mental Health Treatment|Alcohol Rehabilitation Program"] = C(Programs, "SubstanceUse"),
            ["Mental Health Treatment|Drug Rehabilitation Program"] = C(Programs, "SubstanceUse"),
            ["Orthopedic|Fusion"] = C(Surgery, "Spine"),
            ["Orthopedic|Diskectomy"] = C(Surgery, "Spine"),
            ["Orthopedic|Laminectomy"] = C(Surgery, "Spine"),
            ["Orthopedic|Artificial Disk Replacement"] = C(Surgery, "Spine"),
            ["Cancer Treatment|Radiation Oncology"] = C(CancerTreatment, "RadiationOncology"),
            ["Cancer Treatment|Radiation Therapy"] = C(CancerTreatment, "RadiationOncology"),
            ["Cancer Treatment|Proton Beam Therapy"] = C(CancerTreatment, "RadiationOncology"),
            ["Pharmacy/Prescription Drugs|Botox Injection"] = C(Injections, "Botulinum"),
            ["Pharmacy/Prescription Drugs|Anti-virals"] = C(Pharmaceuticals, "AntiVirals"),
            ["Pharmacy/Prescription Drugs|Anti-Depressants"] = C(Pharmaceuticals, "Antidepressants"),
            ["Pharmacy/Prescription Drugs|Sedatives/ Hypnotics"] = C(Pharmaceuticals, "SedativesHypnotics"),
        });
}
