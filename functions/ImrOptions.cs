using Imr.Domain.Deadlines;
using Imr.Domain.Letters;

namespace Imr.Functions;

/// <summary>Settings under <c>Imr</c> (environment: <c>Imr__OrganizationName</c> …).</summary>
public sealed class ImrOptions
{
    public const string Section = "Imr";

    public string OrganizationName { get; set; } = "MAXIMUS Federal Services";
    public string OrganizationShortName { get; set; } = "MAXIMUS";
    /// <summary>Divides every workflow duration; 1 in production (see DeadlinePolicy.TimeScale).</summary>
    public double TimeScale { get; set; } = 1;
    public TimeSpan AcceptanceWindow { get; set; } = TimeSpan.FromHours(24);
    /// <summary>How many reviewers are offered a case before it goes to the medical director.</summary>
    public int MaxOfferRounds { get; set; } = 5;
    public TimeSpan AtRiskWindow { get; set; } = TimeSpan.FromDays(3);
    public string MedicalDirectorEmail { get; set; } = "medical-director@imr.example";

    /// <summary>The review program whose deadline policy applies (a built-in: CaliforniaWorkersCompensation, AcaExternalReview).</summary>
    public string DeadlineProgram { get; set; } = "CaliforniaWorkersCompensation";
    /// <summary>Optional overrides of the program's policy, as text: "30 calendar days", "5 business days", "72 hours".</summary>
    public string? StandardReview { get; set; }
    public string? ExpeditedReview { get; set; }
    public string? ReviewerLead { get; set; }
    /// <summary>Reminder points, e.g. "50%, 80%, 24h" (24h = a day before the reviewer's due date).</summary>
    public string? Reminders { get; set; }
    /// <summary>Holidays skipped by business-day rules (yyyy-MM-dd).</summary>
    public List<DateOnly> Holidays { get; set; } = [];
    /// <summary>Whether the sweep restarts a case whose orchestration failed, was terminated or is missing (otherwise it only reports it).</summary>
    public bool ReconcileRestart { get; set; }

    public IssuingOrganization Organization => new(OrganizationName, OrganizationShortName);

    public DeadlinePolicy DeadlinePolicy
    {
        get
        {
            if (!DeadlinePolicy.BuiltIn.TryGetValue(DeadlineProgram, out var program))
            {
                throw new InvalidOperationException($"Imr:DeadlineProgram '{DeadlineProgram}' is not a known program ({string.Join(", ", DeadlinePolicy.BuiltIn.Keys)}).");
            }

            return program with
            {
                StandardReview = StandardReview is null ? program.StandardReview : DeadlineSpan.Parse(StandardReview),
                ExpeditedReview = ExpeditedReview is null ? program.ExpeditedReview : DeadlineSpan.Parse(ExpeditedReview),
                ReviewerLead = ReviewerLead is null ? program.ReviewerLead : DeadlineSpan.Parse(ReviewerLead),
                Reminders = Reminders is null ? program.Reminders : ReminderPoint.ParseList(Reminders),
                Holidays = [.. program.Holidays, .. Holidays],
                AcceptanceWindow = AcceptanceWindow,
                TimeScale = TimeScale,
            };
        }
    }
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
}
