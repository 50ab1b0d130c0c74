using Imr.Domain.Cases;

namespace Imr.Domain.Deadlines;

/// <summary>
/// Configured parameters of a program's deadline policy, as settings text; null (or empty) keeps the value below it.
/// </summary>
public sealed record DeadlinePolicySettings(
    string? StandardReview = null,
    string? ExpeditedReview = null,
    string? ReviewerLead = null,
    string? Reminders = null,
    IReadOnlyList<DateOnly>? Holidays = null,
    string? TimeZone = null);

/// <summary>
/// The deadline policy of every review program, selected per case by the case package's <see cref="ReviewProgram"/>.
/// Each policy is layered: the built-in program (<see cref="DeadlinePolicy.BuiltIn"/>), then the app-wide settings
/// (apply to every program), then the program's own settings; holidays add up. A program that is not built in can be
/// configured in full (it needs at least the two review periods). Durations the app shares (acceptance window, time
/// scale) are the same for every program.
/// </summary>
public sealed class DeadlinePrograms
{
    private readonly Dictionary<string, DeadlinePolicy> policies = new(StringComparer.OrdinalIgnoreCase);

    public DeadlinePrograms(IReadOnlyDictionary<string, DeadlinePolicySettings>? programs = null, DeadlinePolicySettings? appWide = null, TimeSpan? acceptanceWindow = null, double timeScale = 1)
    {
        programs ??= new Dictionary<string, DeadlinePolicySettings>();
        appWide ??= new DeadlinePolicySettings();
        foreach (var name in DeadlinePolicy.BuiltIn.Keys.Concat(programs.Keys).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var own = programs.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Value ?? new DeadlinePolicySettings();
            DeadlinePolicy start;
            if (DeadlinePolicy.BuiltIn.TryGetValue(name, out var builtIn))
            {
                start = builtIn;
            }
            else if (string.IsNullOrWhiteSpace(own.StandardReview ?? appWide.StandardReview) || string.IsNullOrWhiteSpace(own.ExpeditedReview ?? appWide.ExpeditedReview))
            {
                throw new InvalidOperationException($"Deadline program '{name}' is not built in ({string.Join(", ", DeadlinePolicy.BuiltIn.Keys)}): configure at least its StandardReview and ExpeditedReview.");
            }
            else
            {
                start = DeadlinePolicy.CaliforniaWorkersCompensation with { Program = name };
            }

            var policy = Apply(Apply(start, appWide), own) with { TimeScale = timeScale };
            policies[name] = acceptanceWindow is { } window ? policy with { AcceptanceWindow = window } : policy;
        }
    }

    public IReadOnlyCollection<string> Names => policies.Keys;

    /// <summary>The policy of a case's program.</summary>
    public DeadlinePolicy For(ReviewProgram program) => For(program.ToString());

    public DeadlinePolicy For(string program) =>
        policies.TryGetValue(program, out var policy) ? policy : throw new InvalidOperationException($"Deadline program '{program}' is not configured ({string.Join(", ", policies.Keys)}).");

    private static DeadlinePolicy Apply(DeadlinePolicy policy, DeadlinePolicySettings s) => policy with
    {
        StandardReview = Blank(s.StandardReview) ? policy.StandardReview : DeadlineSpan.Parse(s.StandardReview!),
        ExpeditedReview = Blank(s.ExpeditedReview) ? policy.ExpeditedReview : DeadlineSpan.Parse(s.ExpeditedReview!),
        ReviewerLead = Blank(s.ReviewerLead) ? policy.ReviewerLead : DeadlineSpan.Parse(s.ReviewerLead!),
        Reminders = Blank(s.Reminders) ? policy.Reminders : ReminderPoint.ParseList(s.Reminders!),
        Holidays = [.. policy.Holidays, .. s.Holidays ?? []],
        TimeZoneId = Blank(s.TimeZone) ? policy.TimeZoneId : s.TimeZone!,
    };

    private static bool Blank(string? text) => string.IsNullOrWhiteSpace(text);
}
