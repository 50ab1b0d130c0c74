using Imr.Domain.Cases;
using Imr.Domain.Deadlines;
using Imr.Domain.Letters;

namespace Imr.Functions;

/// <summary>Settings under <c>Imr</c> (environment: <c>Imr__OrganizationName</c> …).</summary>
public sealed class ImrOptions
{
    public const string Section = "Imr";

    public string OrganizationName { get; set; } = "MAXIMUS Federal Services";
    public string OrganizationShortName { get; set; } = "MAXIMUS";
    /// <summary>
    /// The organization's postal address as notices print it (9792.10.4(b)): lines separated by '|' (an environment variable
    /// holds one line), e.g. "Independent Medical Review|1 Example Plaza, Suite 100|Sacramento, CA 95814".
    /// </summary>
    public string OrganizationAddress { get; set; } = "Independent Medical Review|1 Example Plaza, Suite 100|Sacramento, CA 95814";
    /// <summary>How the claims administrator sends the records, as the notice of assignment tells it (one sentence).</summary>
    public string RecordsDelivery { get; set; } = "send them by mail to the address above, or upload them through the secure document upload the IMR organization gave you.";
    /// <summary>Divides every workflow duration; 1 in production (see DeadlinePolicy.TimeScale).</summary>
    public double TimeScale { get; set; } = 1;
    public TimeSpan AcceptanceWindow { get; set; } = TimeSpan.FromHours(24);
    /// <summary>How many reviewers are offered a case before it goes to the medical director.</summary>
    public int MaxOfferRounds { get; set; } = 5;
    public TimeSpan AtRiskWindow { get; set; } = TimeSpan.FromDays(3);
    public string MedicalDirectorEmail { get; set; } = "medical-director@imr.example";

    /// <summary>
    /// App-wide overrides of every program's policy, as text: "30 calendar days", "5 business days", "72 hours".
    /// A case's program (case package <c>program</c>) selects its policy; <see cref="Programs"/> override per program.
    /// </summary>
    public string? StandardReview { get; set; }
    public string? ExpeditedReview { get; set; }
    public string? ReviewerLead { get; set; }
    /// <summary>Reminder points, e.g. "50%, 80%, 24h" (24h = a day before the reviewer's due date).</summary>
    public string? Reminders { get; set; }
    /// <summary>Holidays skipped by business-day rules (yyyy-MM-dd), for every program.</summary>
    public List<DateOnly> Holidays { get; set; } = [];
    /// <summary>Per-program parameters (<c>Imr:Programs:AcaExternalReview:StandardReview</c> …), over the built-ins and the app-wide overrides.</summary>
    public Dictionary<string, ProgramDeadlineOptions> Programs { get; set; } = [];
    /// <summary>
    /// Whether the sweep restarts a case whose orchestration failed, was terminated, is missing or completed while the
    /// case is open (otherwise it only reports it). On by default: a stopped case is a statutory clock running unattended.
    /// </summary>
    public bool ReconcileRestart { get; set; } = true;
    /// <summary>How long after a case closed its orchestration may still run (its last steps) before reconciliation terminates it.</summary>
    public TimeSpan ReconcileGrace { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>
    /// A recorded answer (reviewer's or medical director's) that its running case has not acted on this long after it was
    /// recorded is escalated once: the sweep keeps raising it, but the workflow may be stalled. Real time, not scaled.
    /// </summary>
    public TimeSpan AnswerStallAfter { get; set; } = TimeSpan.FromMinutes(15);
    /// <summary>
    /// How often the sweep checks that an open case's orchestration is still there (a reconcile check in the deadline
    /// index, re-armed after each check), so a purged or missing one is found before the case is at risk. Real time,
    /// not scaled. Zero turns the check off.
    /// </summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromHours(6);

    public IssuingOrganization Organization => new(OrganizationName, OrganizationShortName);

    /// <summary>The lines of <see cref="OrganizationAddress"/>.</summary>
    public IReadOnlyList<string> OrganizationAddressLines =>
        OrganizationAddress.Split(['|', '\n'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private DeadlinePrograms? _deadlinePrograms;

    /// <summary>
    /// Every program's deadline policy (built-ins, then app-wide, then per-program settings), built once: options are bound
    /// (and validated, see <see cref="Problems"/>) before first use and not changed after, and every activity asks for a policy.
    /// </summary>
    public DeadlinePrograms DeadlinePrograms => _deadlinePrograms ??= new(
        Programs.ToDictionary(p => p.Key, p => p.Value.ToSettings()),
        new DeadlinePolicySettings(StandardReview, ExpeditedReview, ReviewerLead, Reminders, Holidays),
        AcceptanceWindow,
        TimeScale);

    /// <summary>The deadline policy of a case's program.</summary>
    public DeadlinePolicy PolicyFor(string? program) => DeadlinePrograms.For(string.IsNullOrEmpty(program) ? nameof(ReviewProgram.CaliforniaWorkersCompensation) : program);

    /// <summary>
    /// The default program's policy, for the durations the whole app shares whatever the case's program: time scale
    /// (<see cref="DeadlinePolicy.Scale"/>) and acceptance window. A case's own deadlines come from <see cref="PolicyFor"/>.
    /// </summary>
    public DeadlinePolicy DeadlinePolicy => PolicyFor(null);

    /// <summary>What is wrong with these settings, each naming its setting; checked when the app starts.</summary>
    public IEnumerable<string> Problems()
    {
        if (string.IsNullOrWhiteSpace(OrganizationName)) yield return "Imr:OrganizationName is required: it issues every letter and notice.";
        if (string.IsNullOrWhiteSpace(OrganizationShortName)) yield return "Imr:OrganizationShortName is required.";
        if (!(TimeScale > 0) || double.IsInfinity(TimeScale)) yield return $"Imr:TimeScale must be a positive number (1 in production); it is {TimeScale}.";
        if (AcceptanceWindow <= TimeSpan.Zero) yield return $"Imr:AcceptanceWindow must be positive; it is {AcceptanceWindow}.";
        if (MaxOfferRounds < 1) yield return $"Imr:MaxOfferRounds must be at least 1; it is {MaxOfferRounds}.";
        if (AtRiskWindow < TimeSpan.Zero) yield return $"Imr:AtRiskWindow must not be negative; it is {AtRiskWindow}.";
        if (ReconcileGrace < TimeSpan.Zero) yield return $"Imr:ReconcileGrace must not be negative; it is {ReconcileGrace}.";
        if (AnswerStallAfter < TimeSpan.Zero) yield return $"Imr:AnswerStallAfter must not be negative; it is {AnswerStallAfter}.";
        if (ReconcileInterval < TimeSpan.Zero) yield return $"Imr:ReconcileInterval must not be negative (zero turns the check off); it is {ReconcileInterval}.";
        if (!OptionChecks.IsEmailAddress(MedicalDirectorEmail)) yield return $"Imr:MedicalDirectorEmail must be an e-mail address; it is '{MedicalDirectorEmail}'.";
        string? programs = null;
        try
        {
            _ = new DeadlinePrograms(
                Programs.ToDictionary(p => p.Key, p => p.Value.ToSettings()),
                new DeadlinePolicySettings(StandardReview, ExpeditedReview, ReviewerLead, Reminders, Holidays),
                AcceptanceWindow,
                TimeScale > 0 ? TimeScale : 1);
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or ArgumentException or TimeZoneNotFoundException)
        {
            programs = $"Imr deadline settings (StandardReview, ExpeditedReview, ReviewerLead, Reminders, Programs): {ex.Message}";
        }

        if (programs is not null) yield return programs;
    }
}

/// <summary>Settings of one program under <c>Imr:Programs:{program}</c>; empty keeps the built-in (or app-wide) value.</summary>
public sealed class ProgramDeadlineOptions
{
    public string? StandardReview { get; set; }
    public string? ExpeditedReview { get; set; }
    public string? ReviewerLead { get; set; }
    public string? Reminders { get; set; }
    public List<DateOnly> Holidays { get; set; } = [];
    /// <summary>IANA time zone the program's days are counted in (default America/Los_Angeles).</summary>
    public string? TimeZone { get; set; }

    public DeadlinePolicySettings ToSettings() => new(StandardReview, ExpeditedReview, ReviewerLead, Reminders, Holidays, TimeZone);
}

/// <summary>Settings under <c>Callback</c>: signing keys and the public address links point to.</summary>
public sealed class CallbackOptions
{
    public const string Section = "Callback";

    /// <summary>Base of reviewer links, e.g. https://app.azurewebsites.net/api.</summary>
    public string PublicBaseUrl { get; set; } = "http://localhost:7071/api";
    public string CurrentKeyId { get; set; } = "";
    /// <summary>Key id → base64 key (at least 32 bytes). In Azure these come from Key Vault references.</summary>
    public Dictionary<string, string> Keys { get; set; } = [];

    /// <summary>What is wrong with these settings; checked when the app starts.</summary>
    public IEnumerable<string> Problems()
    {
        if (!Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("https" or "http"))
        {
            yield return $"Callback:PublicBaseUrl must be an absolute http(s) address (e.g. https://app.azurewebsites.net/api); it is '{PublicBaseUrl}'.";
        }

        if (string.IsNullOrWhiteSpace(CurrentKeyId) || Keys.Count == 0)
        {
            yield return "Callback signing keys are not configured: set Callback__CurrentKeyId and Callback__Keys__<id> (base64, 32 bytes or more).";
            yield break;
        }

        if (!Keys.ContainsKey(CurrentKeyId)) yield return $"Callback:CurrentKeyId '{CurrentKeyId}' names no key in Callback:Keys.";
        foreach (var (id, key) in Keys)
        {
            var bytes = new byte[((key?.Length ?? 0) * 3 / 4) + 3];
            if (!Convert.TryFromBase64String(key ?? "", bytes, out var length)) yield return $"Callback:Keys:{id} is not base64.";
            else if (length < 32) yield return $"Callback:Keys:{id}: callback signing keys must be at least 32 bytes.";
        }
    }
}

/// <summary>Checks the options classes share.</summary>
internal static class OptionChecks
{
    public static bool IsEmailAddress(string? text) =>
        !string.IsNullOrWhiteSpace(text) && System.Net.Mail.MailAddress.TryCreate(text, out var address) && address.Address == text.Trim() && address.Host.Length > 0;
}
