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

    public static RecordsDeliveryBasis BasisOf(bool expedited, Cases.NoticeMethod notice) =>
        expedited ? RecordsDeliveryBasis.Expedited : notice == Cases.NoticeMethod.Mail ? RecordsDeliveryBasis.MailedNotice : RecordsDeliveryBasis.ElectronicNotice;
}

/// <summary>Renders the notice of assignment as the plain text of its message; due times in the program's time zone (Pacific).</summary>
public static class NoticeOfAssignmentRenderer
{
    public const string Heading = "NOTICE OF ASSIGNMENT — INDEPENDENT MEDICAL REVIEW";
    public const string TimeZoneId = Deadlines.ReviewCalendar.CaliforniaTimeZoneId;

    public static string Subject(string caseNumber) => $"IMR case {caseNumber}: Notice of Assignment and request for medical records";

    public static string Render(NoticeOfAssignment notice)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(TimeZoneId);
        var text = new StringBuilder();
        void Line(string s = "") => text.Append(s).Append('\n');
        Line(Heading);
        Line($"IMR Case Number: {notice.CaseNumber}");
        Line($"Date of Notice: {Local(notice.SentAt, zone)}");
        Line($"To: {notice.Addressee}");
        Line();
        Line($"{notice.OrganizationName} has found the application for Independent Medical Review eligible and assigned it for review.");
        if (notice.CombinedInto is { } target)
        {
            Line($"The application was combined with IMR case {target} (same injured worker, requesting physician and date of injury): one review decides the disputed items of both, and the determination will be issued under case {target}.");
        }

        Line();
        var whoDelivers = notice.ClaimsAdministrator is null ? "You, as the claims administrator," : $"The claims administrator ({notice.ClaimsAdministrator})";
        if (notice.RequiredDocuments.Count == 0)
        {
            Line("All documents listed in the application have been received; no further documents are required.");
        }
        else
        {
            Line($"{whoDelivers} must deliver the following document(s) listed in the application, which have not been received:");
            foreach (var d in notice.RequiredDocuments)
            {
                Line($"- {d}");
            }
        }

        Line();
        Line($"Records due: {Local(notice.RecordsDueAt, zone)} ({notice.RecordsDueAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)})");
        Line($"Counted as: {Basis(notice.Basis)}, {Span(notice.Allowed)} from this notice.");
        Line();
        Line($"How to deliver: upload each document to {notice.DeliverTo}, under the exact file name listed, matching the size and SHA-256 given in the application. " +
            "Supplementary records may be uploaded the same way under a new file name. Documents not received by the due time are not waited for: the review proceeds with what was received.");
        Line();
        Line("(8 CCR 9792.10.5)");
        return text.ToString();
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
