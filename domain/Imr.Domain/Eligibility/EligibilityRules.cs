using Imr.Domain.Cases;

namespace Imr.Domain.Eligibility;

/// <summary>
/// A program's eligibility rules as data. The California workers' compensation rules (8 CCR 9792.10.1–9792.10.5, Labor
/// Code 4610.5) can be configured under <c>Imr:Intake</c>; the other programs' rules are their own
/// (<see cref="Programs.ReviewPrograms"/>): no workers'-comp rule is applied to a health-plan case.
/// </summary>
public sealed record EligibilityRules
{
    public static EligibilityRules CaliforniaWorkersCompensation { get; } = new();

    /// <summary>The program these rules belong to; a package of another program is screened by its own program's rules.</summary>
    public ReviewProgram Program { get; init; } = ReviewProgram.CaliforniaWorkersCompensation;
    /// <summary>What the disputed decision is called in reasons.</summary>
    public string DecisionName { get; init; } = "utilization review decision";
    /// <summary>Who made the disputed decision, in reasons.</summary>
    public string DecidedBy { get; init; } = "the utilization review";
    /// <summary>The application must be filed within this many days of service of the UR decision (Labor Code 4610.5(h)(1), 8 CCR 9792.10.1: 30 days).</summary>
    public int ApplicationWindowDays { get; init; } = 30;
    /// <summary>When set, the window is this many calendar months instead of days (DMHC: 6 months; ACA: 4 months).</summary>
    public int? ApplicationWindowMonths { get; init; }
    /// <summary>Days added to the window when the UR decision was served by mail (Code of Civil Procedure 1013: 5 days).</summary>
    public int MailingExtensionDays { get; init; } = 5;
    /// <summary>
    /// A last day that falls on a weekend or holiday moves to the next working day (Code of Civil Procedure 12a).
    /// </summary>
    public bool RollForwardToWorkingDay { get; init; } = true;
    /// <summary>Whether California's judicial holidays count as holidays for the roll-forward.</summary>
    public bool CaliforniaHolidays { get; init; } = true;
    /// <summary>More holidays for the roll-forward.</summary>
    public IReadOnlyList<DateOnly> Holidays { get; init; } = [];
    /// <summary>The decisions that can be disputed (Labor Code 4610.5(c)(1): modified, delayed or denied).</summary>
    public IReadOnlyList<UrOutcome> DisputableOutcomes { get; init; } = [UrOutcome.Denied, UrOutcome.Modified, UrOutcome.Delayed];
    /// <summary>The application must be signed by the worker or the worker's representative (8 CCR 9792.10.1(b)).</summary>
    public bool RequireSignature { get; init; } = true;
    /// <summary>A copy of the written decision must be attached (8 CCR 9792.10.1(b)).</summary>
    public bool RequireDecisionAttached { get; init; } = true;
    /// <summary>A liability dispute waits until liability is resolved (8 CCR 9792.10.1); where false it is not for IMR at all.</summary>
    public bool DeferLiability { get; init; } = true;
    /// <summary>
    /// DMHC: the enrollee first uses the plan's grievance process (Health and Safety Code 1374.30, 1368.03(a)): IMR may be
    /// asked for once the plan upheld its decision, or after <see cref="GrievanceDays"/> without a resolution
    /// (<see cref="ExpeditedGrievanceDays"/> for an urgent case, 1368.01(b)), or earlier when the department waived the wait.
    /// </summary>
    public bool RequireGrievanceFirst { get; init; }
    /// <summary>Days of an unresolved grievance after which IMR may be asked for (1368.03(a): up to 30).</summary>
    public int GrievanceDays { get; init; } = 30;
    /// <summary>The same for an urgent (expedited) case (1368.01(b): 3 days).</summary>
    public int ExpeditedGrievanceDays { get; init; } = 3;

    /// <summary>Whether applications of the same worker, requesting physician and date of injury are combined into one case.</summary>
    public bool CombineApplications { get; init; }

    public int WindowDays(bool servedByMail) => ApplicationWindowDays + (servedByMail ? MailingExtensionDays : 0);

    /// <summary>Whether a day counts for the roll-forward (not a weekend, not a holiday of these rules).</summary>
    public bool IsWorkingDay(DateOnly day) =>
        day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !Holidays.Contains(day) && !(CaliforniaHolidays && Deadlines.CaliforniaHolidays.IsHoliday(day));

    /// <summary>
    /// The last day to apply after a decision served on <paramref name="servedOn"/>: the window (days plus the mailing
    /// extension, or months), then rolled forward past weekends and holidays. <c>Rolled</c> says whether it moved.
    /// </summary>
    public (DateOnly LastDay, bool Rolled) LastDayToApply(DateOnly servedOn, bool servedByMail)
    {
        var last = ApplicationWindowMonths is { } months ? servedOn.AddMonths(months) : servedOn.AddDays(WindowDays(servedByMail));
        if (!RollForwardToWorkingDay) return (last, false);
        var rolled = last;
        while (!IsWorkingDay(rolled)) rolled = rolled.AddDays(1);
        return (rolled, rolled != last);
    }
}

/// <summary>
/// How long the party holding the records has to deliver them after the notice of assignment (8 CCR 9792.10.5(a):
/// 15 days after a mailed notice, 12 after an electronic one, 24 hours when expedited); other programs count working
/// days (<see cref="WorkingDaysAfterNotice"/>).
/// </summary>
public sealed record MedicalRecordsPolicy
{
    public static MedicalRecordsPolicy CaliforniaWorkersCompensation { get; } = new();

    public TimeSpan AfterMailedNotice { get; init; } = TimeSpan.FromDays(15);
    public TimeSpan AfterElectronicNotice { get; init; } = TimeSpan.FromDays(12);
    public TimeSpan Expedited { get; init; } = TimeSpan.FromHours(24);
    /// <summary>
    /// When set, a regular review's records are due this many working days after the notice, however it was served
    /// (DMHC: 3 business days, Health and Safety Code 1374.30(n); ACA: 5 business days).
    /// </summary>
    public int? WorkingDaysAfterNotice { get; init; }

    /// <summary>The unscaled time the claims administrator has; the workflow divides it by its time scale.</summary>
    public TimeSpan Allowed(bool expedited, NoticeMethod notice) =>
        expedited ? Expedited : notice == NoticeMethod.Mail ? AfterMailedNotice : AfterElectronicNotice;

    public DateTimeOffset DueAt(DateTimeOffset noticeSentAt, bool expedited, NoticeMethod notice) => noticeSentAt + Allowed(expedited, notice);
}
