namespace Imr.Domain.Eligibility;

/// <summary>
/// Eligibility rules of 8 CCR 9792.10.1–9792.10.5 as configuration (settings under <c>Imr:Eligibility</c>), not literals in code.
/// </summary>
public sealed record EligibilityRules
{
    public static EligibilityRules CaliforniaWorkersCompensation { get; } = new();

    /// <summary>The application must be filed within this many days of service of the UR decision.</summary>
    public int ApplicationWindowDays { get; init; } = 30;
    /// <summary>Days added to the window when the UR decision was served by mail.</summary>
    public int MailingExtensionDays { get; init; } = 5;
    /// <summary>Whether applications of the same worker, requesting physician and date of injury are combined into one case.</summary>
    public bool CombineApplications { get; init; }

    public int WindowDays(bool servedByMail) => ApplicationWindowDays + (servedByMail ? MailingExtensionDays : 0);
}

/// <summary>How long the claims administrator has to deliver the medical records after the notice of assignment.</summary>
public sealed record MedicalRecordsPolicy
{
    public static MedicalRecordsPolicy CaliforniaWorkersCompensation { get; } = new();

    public TimeSpan AfterMailedNotice { get; init; } = TimeSpan.FromDays(15);
    public TimeSpan AfterElectronicNotice { get; init; } = TimeSpan.FromDays(12);
    public TimeSpan Expedited { get; init; } = TimeSpan.FromHours(24);

    /// <summary>The unscaled time the claims administrator has; the workflow divides it by its time scale.</summary>
    public TimeSpan Allowed(bool expedited, Cases.NoticeMethod notice) =>
        expedited ? Expedited : notice == Cases.NoticeMethod.Mail ? AfterMailedNotice : AfterElectronicNotice;

    public DateTimeOffset DueAt(DateTimeOffset noticeSentAt, bool expedited, Cases.NoticeMethod notice) => noticeSentAt + Allowed(expedited, notice);
}
