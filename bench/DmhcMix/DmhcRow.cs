using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Imr.Domain.Cases;
using Imr.Domain.Programs;

namespace Imr.Bench.DmhcMix;

/// <summary>One line of the DMHC's published IMR determinations (see ../shared/data/README.md).</summary>
internal sealed record DmhcRow(
    string ReferenceId, int ReportYear, string DiagnosisCategory, string DiagnosisSubCategory, string TreatmentCategory,
    string TreatmentSubCategory, string Determination, string Type, string AgeRange, string Gender)
{
    public static List<DmhcRow> ReadAll(string path)
    {
        var lines = File.ReadAllLines(path, Encoding.UTF8);
        var header = lines[0].TrimStart('\uFEFF').Split(';');
        if (header.Length != 10 || header[0] != "Reference ID") throw new InvalidDataException($"{path}: unexpected header '{lines[0]}'");
        return lines.Skip(1).Where(l => l.Length > 0).Select(l =>
        {
            var f = l.Split(';');
            if (f.Length != 10) throw new InvalidDataException($"{path}: expected 10 fields, got {f.Length}: {l}");
            return new DmhcRow(f[0].Trim(), int.Parse(f[1], CultureInfo.InvariantCulture), f[2].Trim(), f[3].Trim(), f[4].Trim(), f[5].Trim(), f[6].Trim(), f[7].Trim(), f[8].Trim(), f[9].Trim());
        }).ToList();
    }
}

/// <summary>A DMHC row as the case package an intake would build for it: no PHI in, invented names and dates out.</summary>
internal static class CasePackages
{
    private static readonly string[] Plans = ["Golden Coast Health Plan", "Sierra Vista Health", "Pacific Crest Medical Plan", "Redwood Valley Health Plan", "Bayshore Care Plan"];

    public static CasePackage From(DmhcRow row, TreatmentTaxonomy taxonomy)
    {
        var n = Stable(row.ReferenceId);
        var decided = new DateOnly(row.ReportYear, 1, 1).AddDays(n % 330);
        var plan = Plans[n % Plans.Length];
        var cls = taxonomy.Classify(row.TreatmentCategory, row.TreatmentSubCategory);
        var expedited = row.Type == "Urgent Care";
        var treatment = row.TreatmentSubCategory.Length > 0 ? row.TreatmentSubCategory : row.TreatmentCategory.Length > 0 ? row.TreatmentCategory : "requested service";
        return new CasePackage
        {
            CaseNumber = CaseNumberOf(row.ReferenceId),
            Program = ReviewProgram.CaliforniaDmhc,
            Expedited = expedited,
            ExpeditedCertification = expedited ? new ExpeditedCertification { CertifiedBy = "Dr. Treating Physician", CertifiedOn = decided.AddDays(1), Statement = "Imminent and serious threat to the enrollee's health." } : null,
            Worker = new InjuredWorker
            {
                Name = $"Enrollee {row.ReferenceId}",
                AgeYears = Age(row.AgeRange),
                Sex = row.Gender switch { "Male" => Sex.Male, "Female" => Sex.Female, _ => Sex.Unspecified },
                DateOfInjury = decided.AddDays(-60), // onset of the condition
                BodyParts = [Diagnosis(row)],
                Mechanism = "not applicable (health plan)",
            },
            Employer = plan,
            ClaimsAdministrator = plan,
            RequestingPhysician = new RequestingPhysician { Name = $"Dr. Requesting {n % 997:000}" },
            UtilizationReview = new UtilizationReview { DecisionDate = decided, DateServed = decided, Reviewer = $"Dr. Plan Reviewer {n % 89:00}", GuidelineCited = "Health plan medical policy" },
            DisputeType = row.Type == "Experimental/Investigational" ? DisputeType.ExperimentalInvestigational : DisputeType.MedicalNecessity,
            DisputedItems =
            [
                new DisputedItem
                {
                    ItemId = "ITEM-1",
                    Description = treatment,
                    // The taxonomy key when the filed category is in the taxonomy (what intake would store), else as filed.
                    Category = cls?.Category ?? (row.TreatmentCategory.Length == 0 ? "Unspecified" : row.TreatmentCategory),
                    SubCategory = cls?.SubCategory ?? (row.TreatmentSubCategory.Length == 0 ? null : row.TreatmentSubCategory),
                    BodyPart = Diagnosis(row),
                    UrOutcome = UrOutcome.Denied,
                },
            ],
            ApplicationDate = decided.AddDays(20),
        };
    }

    private static string Diagnosis(DmhcRow row) =>
        row.DiagnosisCategory.Length == 0 ? "unspecified" : row.DiagnosisSubCategory.Length == 0 ? row.DiagnosisCategory : $"{row.DiagnosisCategory}: {row.DiagnosisSubCategory}";

    /// <summary>The midpoint of "41-50", "0-10", "65+" (0..120 for a health-plan enrollee).</summary>
    private static int Age(string range)
    {
        var parts = range.Split('-', '+');
        if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var low)) return 40;
        return parts.Length > 1 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var high) ? (low + high) / 2 : low + 5;
    }

    private static string CaseNumberOf(string referenceId)
    {
        var clean = new string(referenceId.Where(c => char.IsAsciiLetterOrDigit(c) || c == '-').ToArray());
        return clean.Length is >= 2 and <= 40 && char.IsAsciiLetterOrDigit(clean[0]) ? clean : "DMHC-" + Stable(referenceId);
    }

    private static int Stable(string text) => (int)(BitConverter.ToUInt32(SHA256.HashData(Encoding.UTF8.GetBytes(text)), 0) & 0x7FFFFFFF);
}
