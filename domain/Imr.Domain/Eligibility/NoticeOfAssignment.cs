using System.Globalization;
using System.Text;

namespace Imr.Domain.Eligibility;

/// <summary>How the medical-records deadline of a notice of assignment was counted (8 CCR 9792.10.5).</summary>
public enum RecordsDeliveryBasis
{
    MailedNotice,
    ElectronicNotice,
    Expedited,
}

/// <summary>
/// The IMR organization's notice that an application was found eligible and assigned for review, telling the claims
/// administrator which documents to deliver and by when. Carries ids, file names and dates only: no clinical content.
/// </summary>
public sealed record NoticeOfAssignment(
    string OrganizationName,
    string CaseNumber,
    DateTimeOffset SentAt,
    DateTimeOffset RecordsDueAt,
    TimeSpan Allowed,
    RecordsDeliveryBasis Basis,
    IReadOnlyList<string> RequiredDocuments,
    string DeliverTo,
    // Addressee: the role (the name travels in the message's address, not in its text).
    string Addressee,
    string? ClaimsAdministrator)
{
    /// <summary>The open case this application was combined into, when it was; its review covers this application's items.</summary>
    public string? CombinedInto { get; init; }

    /// <summary>The facts 9792.10.4(b) requires the notice to state; null only for notices built without a package (older tests).</summary>
    public NoticeOfAssignmentFacts? Facts { get; init; }

    /// <summary>The IMR organization's postal address, one line per entry (9792.10.4(b)).</summary>
    public IReadOnlyList<string> OrganizationAddress { get; init; } = [];

    public static RecordsDeliveryBasis BasisOf(bool expedited, Cases.NoticeMethod notice) =>
        expedited ? RecordsDeliveryBasis.Expedited : notice == Cases.NoticeMethod.Mail ? RecordsDeliveryBasis.MailedNotice : RecordsDeliveryBasis.ElectronicNotice;
}

/// <summary>
/// What the notice of assignment must state about the dispute (8 CCR 9792.10.4(b)): the disputed treatment and its
/// Request for Authorization date, the requesting physician, the utilization review decision date and the date the
/// application was received. No worker's name or clinical history: the parties know whose claim it is by its numbers.
/// </summary>
public sealed record NoticeOfAssignmentFacts(
    string Program,
    string? ClaimNumber,
    IReadOnlyList<string> DisputedTreatments,
    DateOnly? RequestForAuthorizationDate,
    string RequestingPhysician,
    DateOnly UrDecisionDate,
    DateOnly ApplicationReceived)
{
    public static NoticeOfAssignmentFacts Of(Cases.CasePackage package) => new(
        package.Program.ToString(),
        package.ClaimNumber,
        package.DisputedItems.Select(i => Letters.LetterText.Flow(i.Description)).ToList(),
        package.UtilizationReview.RequestForAuthorizationDate,
        Letters.LetterText.Flow(package.RequestingPhysician.Name),
        package.UtilizationReview.DecisionDate,
        package.ApplicationDate);
}

/// <summary>Renders the notice of assignment as the plain text of its message; due times in the program's time zone (Pacific).</summary>
public static class NoticeOfAssignmentRenderer
{
    public const string Heading = "NOTICE OF ASSIGNMENT — INDEPENDENT MEDICAL REVIEW";
    public const string TimeZoneId = Deadlines.ReviewCalendar.CaliforniaTimeZoneId;

    public static string Subject(string caseNumber) => $"IMR case {caseNumber}: Notice of Assignment and request for medical records";

    /// <summary>The notice's text from its program's template (<see cref="Letters.TemplateNames.NoticeOfAssignment"/>).</summary>
    public static string Render(NoticeOfAssignment notice, Letters.WordingTemplates? wording = null)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(TimeZoneId);
        var facts = notice.Facts;
        var values = new Dictionary<string, object?>
        {
            ["heading"] = Heading,
            ["organizationName"] = notice.OrganizationName,
            ["organizationAddress"] = notice.OrganizationAddress.ToList(),
            ["caseNumber"] = notice.CaseNumber,
            ["claimNumber"] = facts?.ClaimNumber,
            ["noticeDate"] = Local(notice.SentAt, zone),
            ["addressee"] = notice.Addressee,
            ["whoDelivers"] = notice.ClaimsAdministrator is null ? "You, as the claims administrator," : $"The claims administrator ({notice.ClaimsAdministrator})",
            ["combinedInto"] = notice.CombinedInto,
            ["applicationReceived"] = facts is null ? null : Letters.LetterText.Date(facts.ApplicationReceived),
            ["urDecisionDate"] = facts is null ? null : Letters.LetterText.Date(facts.UrDecisionDate),
            ["rfaDate"] = facts?.RequestForAuthorizationDate is { } rfa ? Letters.LetterText.Date(rfa) : null,
            ["requestingPhysician"] = facts?.RequestingPhysician,
            ["treatments"] = facts?.DisputedTreatments.ToList() ?? [],
            ["requiredDocuments"] = notice.RequiredDocuments.ToList(),
            ["recordsDue"] = Local(notice.RecordsDueAt, zone),
            ["recordsDueUtc"] = notice.RecordsDueAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["basis"] = Basis(notice.Basis),
            ["allowed"] = Span(notice.Allowed),
            ["deliverTo"] = notice.DeliverTo,
        };
        var program = facts?.Program ?? nameof(Cases.ReviewProgram.CaliforniaWorkersCompensation);
        return NoticeLayout.Lines((wording ?? Letters.WordingTemplates.Shipped).Render(program, Letters.TemplateNames.NoticeOfAssignment, values));
    }

    private static string Basis(RecordsDeliveryBasis basis) => basis switch
    {
        RecordsDeliveryBasis.Expedited => "expedited review",
        RecordsDeliveryBasis.MailedNotice => "notice of assignment sent by mail",
        _ => "notice of assignment sent electronically",
    };

    private static string Span(TimeSpan span) =>
        span.TotalDays >= 2 && span.Ticks % TimeSpan.TicksPerDay == 0 ? $"{span.TotalDays:0} days"
        : span.TotalHours >= 1 && span.Ticks % TimeSpan.TicksPerHour == 0 ? $"{span.TotalHours:0} hours"
        : $"{span.TotalSeconds:0} seconds";

    private static string Local(DateTimeOffset at, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(at, zone);
        var name = zone.IsDaylightSavingTime(local) ? "PDT" : "PST";
        return local.ToString("dddd, MMMM d, yyyy 'at' h:mm tt", CultureInfo.InvariantCulture) + $" {name} (Pacific time)";
    }
}

/// <summary>The layout rule of plain-text notices rendered from templates: lines trimmed at the end, one blank line at most between blocks.</summary>
public static class NoticeLayout
{
    /// <summary>The template values every notice to a party shares: heading, organization, case, claim, date, addressee.</summary>
    public static Dictionary<string, object?> CommonValues(string heading, string organizationName, IReadOnlyList<string> organizationAddress,
        string caseNumber, string? claimNumber, DateOnly noticeDate, string addressee) => new()
    {
        ["heading"] = heading,
        ["organizationName"] = organizationName,
        ["organizationAddress"] = organizationAddress.ToList(),
        ["caseNumber"] = caseNumber,
        ["claimNumber"] = claimNumber,
        ["noticeDate"] = noticeDate.ToString("MM/dd/yyyy", CultureInfo.InvariantCulture),
        ["addressee"] = addressee,
    };

    public static string Lines(string rendered)
    {
        var text = new StringBuilder();
        var blank = true; // no blank line before the first
        foreach (var line in rendered.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').Select(l => l.TrimEnd()))
        {
            if (line.Length == 0)
            {
                if (!blank) text.Append('\n');
                blank = true;
                continue;
            }

            text.Append(line).Append('\n');
            blank = false;
        }

        return text.ToString().TrimEnd('\n') + "\n";
    }
}
