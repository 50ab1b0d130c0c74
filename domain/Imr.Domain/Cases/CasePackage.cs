using System.Text.Json;
using System.Text.Json.Serialization;

namespace Imr.Domain.Cases;

/// <summary>The manifest of one uploaded case: what an IMR application and its supporting file contain.</summary>
public sealed partial record CasePackage
{
    public required string CaseNumber { get; init; }
    public ReviewProgram Program { get; init; } = ReviewProgram.CaliforniaWorkersCompensation;
    public bool Expedited { get; init; }
    public required InjuredWorker Worker { get; init; }
    public required string Employer { get; init; }
    public required string ClaimsAdministrator { get; init; }
    public required RequestingPhysician RequestingPhysician { get; init; }
    public string? EmployeeAttorney { get; init; }
    public required UtilizationReview UtilizationReview { get; init; }
    public required IReadOnlyList<DisputedItem> DisputedItems { get; init; }
    public required DateOnly ApplicationDate { get; init; }
    public IReadOnlyList<CaseDocument> Documents { get; init; } = [];

    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        WriteIndented = true,
    };

    /// <summary>Reads a manifest; the reasons say what is wrong, never what the record contains.</summary>
    public static CasePackageParseResult Parse(ReadOnlySpan<byte> utf8Json)
    {
        CasePackage? package;
        try
        {
            package = JsonSerializer.Deserialize<CasePackage>(utf8Json, JsonOptions);
        }
        catch (JsonException ex)
        {
            return CasePackageParseResult.Rejected($"The manifest is not a valid case package: {ex.Path} (line {ex.LineNumber}): {FirstSentence(ex.Message)}");
        }

        if (package is null)
        {
            return CasePackageParseResult.Rejected("The manifest is empty.");
        }

        var reasons = package.Validate();
        return reasons.Count == 0 ? CasePackageParseResult.Accepted(package) : new CasePackageParseResult(null, reasons);
    }

    public IReadOnlyList<string> Validate()
    {
        var reasons = new List<string>();
        if (!Cases.CaseNumber.TryParse(CaseNumber, out _))
        {
            reasons.Add("caseNumber: must be 2-40 letters, digits or hyphens.");
        }

        if (DisputedItems.Count == 0)
        {
            reasons.Add("disputedItems: at least one disputed item is required.");
        }

        foreach (var duplicate in DisputedItems.GroupBy(i => i.ItemId).Where(g => g.Count() > 1))
        {
            reasons.Add($"disputedItems: item id '{duplicate.Key}' appears more than once.");
        }

        foreach (var item in DisputedItems.Where(i => !ItemIdPattern().IsMatch(i.ItemId ?? "")))
        {
            reasons.Add($"disputedItems: item id '{item.ItemId}' must be 1-40 letters, digits, '-' or '_'.");
        }

        foreach (var item in DisputedItems.Where(i => string.IsNullOrWhiteSpace(i.Description)))
        {
            reasons.Add($"disputedItems[{item.ItemId}]: a description of the treatment is required.");
        }

        if (UtilizationReview.DecisionDate > ApplicationDate)
        {
            reasons.Add("applicationDate: the application cannot precede the utilization review decision.");
        }

        if (Worker.DateOfInjury > UtilizationReview.DecisionDate)
        {
            reasons.Add("worker.dateOfInjury: the injury cannot follow the utilization review decision.");
        }

        return reasons;
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z0-9_-]{1,40}$")]
    private static partial System.Text.RegularExpressions.Regex ItemIdPattern();

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }
}

public sealed record CasePackageParseResult(CasePackage? Package, IReadOnlyList<string> Reasons)
{
    public bool IsAccepted => Package is not null;
    public static CasePackageParseResult Accepted(CasePackage p) => new(p, []);
    public static CasePackageParseResult Rejected(string reason) => new(null, [reason]);
}

public enum ReviewProgram
{
    CaliforniaWorkersCompensation,
}

public sealed record InjuredWorker
{
    public required string Name { get; init; }
    public required int AgeYears { get; init; }
    public required Sex Sex { get; init; }
    public required DateOnly DateOfInjury { get; init; }
    public required IReadOnlyList<string> BodyParts { get; init; }
    public required string Mechanism { get; init; }
}

public enum Sex
{
    Male,
    Female,
    Unspecified,
}

public sealed record RequestingPhysician
{
    public required string Name { get; init; }
    public string? MedicalGroup { get; init; }
    public string? Facility { get; init; }
}

public sealed record UtilizationReview
{
    public required DateOnly DecisionDate { get; init; }
    public required string Reviewer { get; init; }
    /// <summary>The guideline the claims administrator's UR decision cited, e.g. "MTUS Chronic Pain Treatment Guidelines Physical Medicine".</summary>
    public required string GuidelineCited { get; init; }
}

/// <summary>A treatment or service the UR decision denied or modified and the worker disputes.</summary>
public sealed record DisputedItem
{
    public required string ItemId { get; init; }
    /// <summary>As printed on the letter, e.g. "12 Physical Therapy sessions for the lumbar spine".</summary>
    public required string Description { get; init; }
    /// <summary>Treatment category used to match a reviewer's specialty, e.g. "PhysicalTherapy".</summary>
    public required string Category { get; init; }
    public required string BodyPart { get; init; }
}

public sealed record CaseDocument
{
    public required string FileName { get; init; }
    public required string MediaType { get; init; }
    public long Size { get; init; }
    public string? Sha256 { get; init; }
}
