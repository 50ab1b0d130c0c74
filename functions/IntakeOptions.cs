using Imr.Domain.Eligibility;

namespace Imr.Functions;

/// <summary>
/// Settings under <c>Imr:Intake</c> (environment: <c>Imr__Intake__ApplicationWindowDays</c> …): the eligibility rules and the
/// medical-records deadlines. Durations are divided by <c>Imr:TimeScale</c> in the workflow.
/// </summary>
public sealed class IntakeOptions
{
    public const string Section = "Imr:Intake";

    public int ApplicationWindowDays { get; set; } = EligibilityRules.CaliforniaWorkersCompensation.ApplicationWindowDays;
    public int MailingExtensionDays { get; set; } = EligibilityRules.CaliforniaWorkersCompensation.MailingExtensionDays;
    public bool CombineApplications { get; set; }
    public TimeSpan RecordsAfterMailedNotice { get; set; } = MedicalRecordsPolicy.CaliforniaWorkersCompensation.AfterMailedNotice;
    public TimeSpan RecordsAfterElectronicNotice { get; set; } = MedicalRecordsPolicy.CaliforniaWorkersCompensation.AfterElectronicNotice;
    public TimeSpan RecordsExpedited { get; set; } = MedicalRecordsPolicy.CaliforniaWorkersCompensation.Expedited;
    /// <summary>
    /// How long a blob may sit in intake before the intake sweep delivers it again or, for a document whose manifest never
    /// came, quarantines it with a notice to the intake desk (<c>Imr__Intake__OrphanAfter</c>). Not divided by the time scale.
    /// </summary>
    public TimeSpan OrphanAfter { get; set; } = TimeSpan.FromHours(6);
    /// <summary>Receives rejection notices when a package names no submitter (or cannot be read at all).</summary>
    public string IntakeDeskEmail { get; set; } = "intake-desk@imr.example";

    public EligibilityRules Rules => new()
    {
        ApplicationWindowDays = ApplicationWindowDays,
        MailingExtensionDays = MailingExtensionDays,
        CombineApplications = CombineApplications,
    };

    /// <summary>What is wrong with these settings, each naming its setting; checked when the app starts.</summary>
    public IEnumerable<string> Problems()
    {
        if (ApplicationWindowDays <= 0) yield return $"Imr:Intake:ApplicationWindowDays must be positive; it is {ApplicationWindowDays}.";
        if (MailingExtensionDays < 0) yield return $"Imr:Intake:MailingExtensionDays must not be negative; it is {MailingExtensionDays}.";
        if (RecordsAfterMailedNotice <= TimeSpan.Zero) yield return $"Imr:Intake:RecordsAfterMailedNotice must be positive; it is {RecordsAfterMailedNotice}.";
        if (RecordsAfterElectronicNotice <= TimeSpan.Zero) yield return $"Imr:Intake:RecordsAfterElectronicNotice must be positive; it is {RecordsAfterElectronicNotice}.";
        if (RecordsExpedited <= TimeSpan.Zero) yield return $"Imr:Intake:RecordsExpedited must be positive; it is {RecordsExpedited}.";
        if (OrphanAfter <= TimeSpan.Zero) yield return $"Imr:Intake:OrphanAfter must be positive; it is {OrphanAfter}.";
        if (!OptionChecks.IsEmailAddress(IntakeDeskEmail)) yield return $"Imr:Intake:IntakeDeskEmail must be an e-mail address; it is '{IntakeDeskEmail}'.";
    }

    public MedicalRecordsPolicy RecordsPolicy => new()
    {
        AfterMailedNotice = RecordsAfterMailedNotice,
        AfterElectronicNotice = RecordsAfterElectronicNotice,
        Expedited = RecordsExpedited,
    };
}
