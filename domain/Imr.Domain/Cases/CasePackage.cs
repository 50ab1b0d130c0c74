using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Imr.Domain.Cases;

/// <summary>
/// The manifest of one uploaded case: what an IMR application and its supporting file contain.
/// The contract is documented in docs/case-package.md and docs/case-package.schema.json.
/// </summary>
public sealed partial record CasePackage
{
    /// <summary>Largest document accepted beside a manifest (declared and actual size).</summary>
    public const long MaxDocumentBytes = 100L * 1024 * 1024;
    public const int MaxDocuments = 200;

    public required string CaseNumber { get; init; }
    public ReviewProgram Program { get; init; } = ReviewProgram.CaliforniaWorkersCompensation;
    public bool Expedited { get; init; }
    /// <summary>Required when expedited: the treating physician's certification of an imminent and serious threat to health.</summary>
    public ExpeditedCertification? ExpeditedCertification { get; init; }
    public required InjuredWorker Worker { get; init; }
    /// <summary>The claims administrator's claim number; the letter's header prints it (optional, additive).</summary>
    public string? ClaimNumber { get; init; }
    public required string Employer { get; init; }
    public required string ClaimsAdministrator { get; init; }
    public required RequestingPhysician RequestingPhysician { get; init; }
    public string? EmployeeAttorney { get; init; }
    public required UtilizationReview UtilizationReview { get; init; }
    /// <summary>What is disputed: medical necessity (reviewed) or liability for the treatment (deferred until resolved).</summary>
    public DisputeType DisputeType { get; init; } = DisputeType.MedicalNecessity;
    public required IReadOnlyList<DisputedItem> DisputedItems { get; init; }
    public required DateOnly ApplicationDate { get; init; }
    /// <summary>
    /// Who signed the application (8 CCR 9792.10.1(b): the employee or the employee's representative). Null on packages
    /// made before the field existed: the screening then cannot tell and does not reject for it.
    /// </summary>
    public ApplicationSigner? ApplicationSignedBy { get; init; }
    /// <summary>
    /// The enrollee's grievance with the health plan (DMHC: Health and Safety Code 1374.30, 1368.03(a)): IMR follows the
    /// plan's grievance process. Null on packages made before the field existed (and for other programs): not checked.
    /// </summary>
    public PlanGrievance? PlanGrievance { get; init; }
    /// <summary>How the notice of assignment reaches the claims administrator; it sets the medical-records deadline.</summary>
    public NoticeMethod NoticeOfAssignmentBy { get; init; } = NoticeMethod.Electronic;
    /// <summary>Where notices about the package itself (a rejection) go.</summary>
    public string? SubmitterEmail { get; init; }
    /// <summary>The parties' e-mail addresses for notices (optional; a party without one is served by post).</summary>
    public PartyContacts? Contacts { get; init; }
    /// <summary>The parties' postal addresses (optional): a party without e-mail is served by post there.</summary>
    public PartyAddresses? PostalAddresses { get; init; }
    public IReadOnlyList<CaseDocument> Documents { get; init; } = [];

    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        WriteIndented = true,
    };

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Reads a manifest in four steps — UTF-8, JSON, the JSON Schema, the domain rules — and stops at the first step
    /// that fails. The reasons say what is wrong and where, never what the record contains.
    /// Counted (<see cref="DomainMetrics.CasePackageParses"/>): intake parses a case's manifest once and keeps the result as the
    /// case's record, so every parse after that is a step reading the manifest again.
    /// </summary>
    public static CasePackageParseResult Parse(ReadOnlySpan<byte> utf8Json)
    {
        var result = ParseOnce(utf8Json);
        DomainMetrics.CountParse(result.Package?.CaseNumber);
        return result;
    }

    private static CasePackageParseResult ParseOnce(ReadOnlySpan<byte> utf8Json)
    {
        if (utf8Json.IsEmpty)
        {
            return CasePackageParseResult.Rejected("The manifest is empty.");
        }

        // A UTF-8 byte order mark is legal (RFC 8259 lets a parser ignore it) and common from Windows tools.
        if (utf8Json.StartsWith(Utf8Bom))
        {
            utf8Json = utf8Json[Utf8Bom.Length..];
            if (utf8Json.IsEmpty)
            {
                return CasePackageParseResult.Rejected("The manifest is empty.");
            }
        }

        try
        {
            StrictUtf8.GetCharCount(utf8Json);
        }
        catch (DecoderFallbackException ex)
        {
            return CasePackageParseResult.Rejected($"The manifest is not valid UTF-8 (invalid byte sequence at byte {ex.Index}).");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json.ToArray(), new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        }
        catch (JsonException ex)
        {
            return CasePackageParseResult.Rejected($"The manifest is not well-formed JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine}): {FirstSentence(ex.Message)}");
        }

        CasePackage? package;
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return CasePackageParseResult.Rejected("The manifest must be a JSON object.");
            }

            // Before the schema: it looks at one occurrence of a repeated key while deserialisation takes the last, and
            // an escaped lone surrogate (\ud800) parses as JSON but cannot be read as a string.
            var structural = StructuralReasons(document.RootElement);
            if (structural.Count > 0)
            {
                return new CasePackageParseResult(null, structural);
            }

            var schemaReasons = CasePackageSchema.Validate(document.RootElement);
            if (schemaReasons.Count > 0)
            {
                return new CasePackageParseResult(null, schemaReasons);
            }

            try
            {
                package = document.RootElement.Deserialize<CasePackage>(JsonOptions);
            }
            catch (JsonException ex)
            {
                return CasePackageParseResult.Rejected($"The manifest is not a valid case package: {ex.Path}: {FirstSentence(ex.Message)}");
            }
            catch (InvalidOperationException)
            {
                // The walk above refuses what System.Text.Json cannot read; this keeps any other such case a reason, not a crash.
                return CasePackageParseResult.Rejected("The manifest is not a valid case package: a value cannot be read as text.");
            }
        }

        if (package is null)
        {
            return CasePackageParseResult.Rejected("The manifest is empty.");
        }

        var reasons = package.Validate();
        return reasons.Count == 0 ? CasePackageParseResult.Accepted(package) : new CasePackageParseResult(null, reasons);
    }

    /// <summary>
    /// What JSON allows but a manifest must not have: a key twice in one object (which occurrence counts would depend on
    /// the reader), and strings that are not valid UTF-16 (an escaped lone surrogate such as <c>\ud800</c>).
    /// Reasons give the location only, never the value.
    /// </summary>
    private static List<string> StructuralReasons(JsonElement root)
    {
        var reasons = new List<string>();
        Walk(root, "", reasons);
        return reasons;
    }

    private static void Walk(JsonElement element, string path, List<string> reasons)
    {
        if (reasons.Count >= MaxStructuralReasons)
        {
            return;
        }

        var where = path.Length == 0 ? "(manifest)" : path;
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var seen = new HashSet<string>(StringComparer.Ordinal);
                var index = 0;
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        reasons.Add($"{where}: property #{index + 1} has a name that is not valid text (an escaped lone surrogate such as \\ud800).");
                        index++;
                        continue;
                    }

                    index++;
                    var child = $"{path}/{EscapePointer(name)}";
                    if (!seen.Add(name))
                    {
                        reasons.Add($"{child}: the key '{Printable(name)}' appears more than once in the same object; each field may be given once.");
                        continue;
                    }

                    Walk(property.Value, child, reasons);
                }

                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Walk(item, $"{path}/{i++}", reasons);
                }

                break;
            case JsonValueKind.String:
                try
                {
                    _ = element.GetString();
                }
                catch (InvalidOperationException)
                {
                    reasons.Add($"{where}: the text is not valid UTF-16 (an escaped lone surrogate such as \\ud800); send the character itself or remove it.");
                }

                break;
        }
    }

    private const int MaxStructuralReasons = 50;

    private static string EscapePointer(string name) => name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>The domain's rules (those a schema cannot express, and the schema's essentials again for packages built in code).</summary>
    public IReadOnlyList<string> Validate()
    {
        var reasons = new List<string>();
        if (!Cases.CaseNumber.TryParse(CaseNumber, out _))
        {
            reasons.Add("caseNumber: must be 2-40 letters, digits or hyphens.");
        }

        if (Expedited && ExpeditedCertification is null)
        {
            reasons.Add("expeditedCertification: an expedited review needs the treating physician's certification of an imminent and serious threat to health.");
        }

        if (Worker.DateOfBirth is null && Worker.AgeYears is null)
        {
            reasons.Add("worker: the date of birth or the age is required.");
        }

        // A worker is at least 14; a health-plan enrollee may be a child.
        if (Program == ReviewProgram.CaliforniaWorkersCompensation ? Worker.AgeYears is < 14 or > 120 : Worker.AgeYears is < 0 or > 120)
        {
            reasons.Add(Program == ReviewProgram.CaliforniaWorkersCompensation ? "worker.ageYears: must be between 14 and 120." : "worker.ageYears: must be between 0 and 120.");
        }

        if (Worker.DateOfBirth is { } born && born >= Worker.DateOfInjury)
        {
            reasons.Add("worker.dateOfBirth: must precede the date of injury.");
        }

        if (Worker.DateOfInjury > UtilizationReview.DecisionDate)
        {
            reasons.Add("worker.dateOfInjury: the injury cannot follow the utilization review decision.");
        }

        if (UtilizationReview.DateServed is { } served && served < UtilizationReview.DecisionDate)
        {
            reasons.Add("utilizationReview.dateServed: the decision cannot be served before it was made.");
        }

        if (UtilizationReview.DecisionDate > ApplicationDate)
        {
            reasons.Add("applicationDate: the application cannot precede the utilization review decision.");
        }
        else if (UtilizationReview.DateServed is { } servedOn && servedOn > ApplicationDate)
        {
            reasons.Add("applicationDate: the application cannot precede service of the utilization review decision.");
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

        foreach (var item in DisputedItems.Where(i => i.Quantity < 1))
        {
            reasons.Add($"disputedItems[{item.ItemId}]: the quantity must be at least 1.");
        }

        if (Documents.Count > MaxDocuments)
        {
            reasons.Add($"documents: at most {MaxDocuments} documents per package.");
        }

        foreach (var d in Documents)
        {
            if (!IsSafeFileName(d.FileName))
            {
                reasons.Add($"documents: file name '{Printable(d.FileName)}' is not allowed: a plain file name (letters, digits, '.', '_', '-', ' '; at most 120 characters) without folders or '..'.");
            }

            if (d.Size > MaxDocumentBytes)
            {
                reasons.Add($"documents[{Printable(d.FileName)}]: size {d.Size} bytes exceeds the limit of {MaxDocumentBytes} bytes.");
            }
            else if (d.Size < 1)
            {
                reasons.Add($"documents[{Printable(d.FileName)}]: size must be at least 1 byte.");
            }

            if (!Sha256Pattern().IsMatch(d.Sha256 ?? ""))
            {
                reasons.Add($"documents[{Printable(d.FileName)}]: sha256 must be 64 lower-case hex digits.");
            }
        }

        foreach (var duplicate in Documents.GroupBy(d => d.FileName, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            reasons.Add($"documents: file name '{Printable(duplicate.Key)}' appears more than once.");
        }

        return reasons;
    }

    /// <summary>A document's name as a blob name segment: no folders, no '..', no control characters, not the manifest itself.</summary>
    public static bool IsSafeFileName(string? name) =>
        name is not null && FileNamePattern().IsMatch(name) && !name.Contains("..", StringComparison.Ordinal)
        && !string.Equals(name, "manifest.json", StringComparison.OrdinalIgnoreCase) && !name.EndsWith(".rejection.json", StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex("^[A-Za-z0-9_-]{1,40}$")]
    private static partial Regex ItemIdPattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._ -]{0,119}$")]
    private static partial Regex FileNamePattern();

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Pattern();

    // File names are echoed in reasons; keep them short and free of control characters.
    private static string Printable(string? s) =>
        s is null ? "" : new string(s.Take(80).Select(c => char.IsControl(c) ? '?' : c).ToArray());

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

/// <summary>
/// The review program a case belongs to; its name is the program's stable key (<c>Imr.Domain.Programs.ReviewPrograms</c>):
/// eligibility, deadlines, records, taxonomy, served parties and letter wording are looked up by it.
/// </summary>
public enum ReviewProgram
{
    CaliforniaWorkersCompensation,
    /// <summary>ACA external review (45 CFR 147.136): 45 days, expedited 72 hours.</summary>
    AcaExternalReview,
    /// <summary>California DMHC Independent Medical Review for health-plan enrollees (Health and Safety Code 1374.30–1374.36, 1370.4).</summary>
    CaliforniaDmhc,
}

public enum DisputeType
{
    MedicalNecessity,
    /// <summary>Workers' compensation: liability for the treatment is disputed (IMR waits until it is resolved).</summary>
    Liability,
    /// <summary>Health plans: the plan denied an experimental or investigational therapy (Health and Safety Code 1370.4).</summary>
    ExperimentalInvestigational,
    /// <summary>Health plans: a coverage decision (the service is excluded by the contract), not medical necessity; not for IMR.</summary>
    Coverage,
}

/// <summary>Where the enrollee's grievance with the health plan stands when IMR is asked for.</summary>
public enum GrievanceStatus
{
    /// <summary>The plan decided the grievance and upheld its decision (in whole or in part): its decision is final.</summary>
    Upheld,
    /// <summary>Filed, and the plan has not resolved it yet.</summary>
    Pending,
}

/// <summary>The enrollee's grievance with the health plan (DMHC).</summary>
public sealed record PlanGrievance
{
    public required DateOnly FiledOn { get; init; }
    public required GrievanceStatus Status { get; init; }
    /// <summary>When the plan decided it (for <see cref="GrievanceStatus.Upheld"/>).</summary>
    public DateOnly? DecidedOn { get; init; }
    /// <summary>The department found that an earlier review is warranted (Health and Safety Code 1368.03(a)): no waiting period.</summary>
    public bool? WaivedByDepartment { get; init; }
}

/// <summary>Who signed the application for IMR.</summary>
public enum ApplicationSigner
{
    InjuredWorker,
    /// <summary>The employee's attorney or other representative.</summary>
    Representative,
    NotSigned,
}

/// <summary>How a decision or notice was served: by mail (the mailing extension applies) or electronically.</summary>
public enum NoticeMethod
{
    Mail,
    Electronic,
}

/// <summary>What the utilization review decided for one requested item; denied, modified or delayed items can be disputed.</summary>
public enum UrOutcome
{
    Denied,
    Modified,
    Approved,
    /// <summary>The decision delays the treatment (8 CCR 9792.10.3(a), Labor Code 4610.5(c)(1)): disputable.</summary>
    Delayed,
    /// <summary>
    /// Denied only because the physician did not send information the claims administrator asked for: not a
    /// utilization review decision on medical necessity, so not eligible for IMR.
    /// </summary>
    ConditionalNonCertification,
}

public enum DocumentKind
{
    MedicalRecords,
    UtilizationReviewLetter,
    ApplicationForm,
    Other,
}

public sealed record ExpeditedCertification
{
    public required string CertifiedBy { get; init; }
    public required DateOnly CertifiedOn { get; init; }
    /// <summary>The physician's statement of the imminent and serious threat to the worker's health.</summary>
    public required string Statement { get; init; }
}

public sealed record InjuredWorker
{
    public required string Name { get; init; }
    public DateOnly? DateOfBirth { get; init; }
    /// <summary>Used when the date of birth is not given.</summary>
    public int? AgeYears { get; init; }
    public required Sex Sex { get; init; }
    public required DateOnly DateOfInjury { get; init; }
    public required IReadOnlyList<string> BodyParts { get; init; }
    public required string Mechanism { get; init; }

    /// <summary>Age on a date: from the date of birth when given, otherwise the stated age.</summary>
    public int? AgeOn(DateOnly date)
    {
        if (DateOfBirth is not { } born)
        {
            return AgeYears;
        }

        var age = date.Year - born.Year;
        return born.AddYears(age) > date ? age - 1 : age;
    }
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
    /// <summary>The claims administrator's reference of the UR decision, when it has one; identifies the decision for duplicate checks.</summary>
    public string? ReferenceNumber { get; init; }
    public required DateOnly DecisionDate { get; init; }
    /// <summary>The date of the Request for Authorization the UR decision answered; the notice of assignment states it (9792.10.4(b)).</summary>
    public DateOnly? RequestForAuthorizationDate { get; init; }
    /// <summary>When the decision was served on the worker; the 30-day filing window runs from here.</summary>
    public DateOnly? DateServed { get; init; }
    public NoticeMethod ServedBy { get; init; } = NoticeMethod.Electronic;
    public required string Reviewer { get; init; }
    /// <summary>The guideline the claims administrator's UR decision cited, e.g. "MTUS Chronic Pain Treatment Guidelines Physical Medicine".</summary>
    public required string GuidelineCited { get; init; }
    /// <summary>Whether a copy of the written decision is attached to the application; null on packages made before the field existed.</summary>
    public bool? DecisionAttached { get; init; }

    [JsonIgnore]
    public DateOnly ServedOn => DateServed ?? DecisionDate;
}

/// <summary>A treatment or service the UR decision denied or modified and the worker disputes.</summary>
public sealed record DisputedItem
{
    public required string ItemId { get; init; }
    /// <summary>As printed on the letter, e.g. "12 Physical Therapy sessions for the lumbar spine".</summary>
    public required string Description { get; init; }
    public int Quantity { get; init; } = 1;
    /// <summary>Treatment category used to match a reviewer's specialty, e.g. "PhysicalTherapy".</summary>
    public required string Category { get; init; }
    public required string BodyPart { get; init; }
    public UrOutcome UrOutcome { get; init; } = UrOutcome.Denied;
    /// <summary>The taxonomy's sub-category (e.g. "Opioids", "EpiduralSteroid"), when known.</summary>
    public string? SubCategory { get; init; }
    /// <summary>A dispute over a drug under the MTUS Drug Formulary: decided within 5 working days (Labor Code 4610.6(d)).</summary>
    public bool? Formulary { get; init; }
}

public sealed record CaseDocument
{
    public required string FileName { get; init; }
    public DocumentKind Kind { get; init; } = DocumentKind.Other;
    public required string MediaType { get; init; }
    public long Size { get; init; }
    public string? Sha256 { get; init; }
}
