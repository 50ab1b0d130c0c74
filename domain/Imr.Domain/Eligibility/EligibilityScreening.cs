using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Imr.Domain.Cases;

namespace Imr.Domain.Eligibility;

public enum EligibilityOutcome
{
    Eligible,
    Ineligible,
    Deferred,
}

/// <summary>The screening's answer. <see cref="DuplicateOf"/> names the earlier case of a duplicate; <see cref="CombineWith"/> the open case an eligible application joins.</summary>
public sealed record EligibilityDecision(EligibilityOutcome Outcome, IReadOnlyList<string> Reasons, string? DuplicateOf = null, string? CombineWith = null);

/// <summary>
/// What identifies an application for duplicate and combining checks, without the PHI itself: keys are SHA-256 hashes
/// of normalised values, so the index that stores them holds no names.
/// </summary>
public sealed record ApplicationFingerprint(string CaseNumber, string WorkerKey, string PhysicianKey, string UrDecisionKey, IReadOnlyList<string> TreatmentKeys)
{
    public static ApplicationFingerprint Of(CasePackage p)
    {
        var worker = Key(p.Worker.Name, p.Worker.DateOfInjury.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), p.Worker.DateOfBirth?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "");
        var ur = Key(p.UtilizationReview.ReferenceNumber ?? "", p.UtilizationReview.DecisionDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), p.UtilizationReview.Reviewer);
        var treatments = p.DisputedItems.Select(i => Key(i.Category, i.Description, i.BodyPart)).Distinct().Order(StringComparer.Ordinal).ToList();
        return new ApplicationFingerprint(Cases.CaseNumber.Parse(p.CaseNumber).Value, worker, Key(p.RequestingPhysician.Name), ur, treatments);
    }

    // Case, spacing and punctuation differences between submitters must not hide a duplicate.
    private static string Key(params string[] parts)
    {
        var normalised = string.Join("|", parts.Select(s => new string(s.ToUpperInvariant().Where(char.IsLetterOrDigit).ToArray())));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalised)))[..32];
    }
}

/// <summary>An application already on file: open (in progress) or decided. Ineligible or combined applications are not listed.</summary>
public sealed record PriorApplication(ApplicationFingerprint Fingerprint, bool Decided);

/// <summary>Screens an application for IMR (8 CCR 9792.10.1–9792.10.5): timeliness, disputable items, duplicates, liability, combining.</summary>
public static class EligibilityScreening
{
    /// <remarks>
    /// The rules given apply to their own program (<see cref="EligibilityRules.Program"/>); a package of another program
    /// is screened by that program's built-in rules (<see cref="Programs.ReviewPrograms"/>), so no workers'-comp rule
    /// reaches a health-plan case.
    /// </remarks>
    public static EligibilityDecision Screen(CasePackage package, IEnumerable<PriorApplication> onFile, EligibilityRules rules)
    {
        if (rules.Program != package.Program)
        {
            rules = Programs.ReviewPrograms.For(package.Program).Eligibility;
        }

        var reasons = new List<string>();
        var ur = package.UtilizationReview;
        var decision = rules.DecisionName;

        // Timeliness: the window runs from service of the decision, longer when it was served by mail; a last day on a
        // weekend or holiday moves to the next working day.
        var byMail = ur.ServedBy == NoticeMethod.Mail;
        var elapsed = package.ApplicationDate.DayNumber - ur.ServedOn.DayNumber;
        var (lastDay, rolled) = rules.LastDayToApply(ur.ServedOn, byMail);
        if (package.ApplicationDate > lastDay)
        {
            var limit = rules.ApplicationWindowMonths is { } months ? $"{months} months" : $"{rules.WindowDays(byMail)} days";
            var moved = rolled ? $" (the last day fell on a weekend or holiday and moved to {lastDay:yyyy-MM-dd})" : "";
            reasons.Add($"Untimely: the application was filed {elapsed} days after the {decision} was served ({(byMail ? "by mail" : "electronically")}); the limit is {limit}{moved}.");
        }

        if (rules.RequireSignature && package.ApplicationSignedBy == ApplicationSigner.NotSigned)
        {
            reasons.Add("Not signed: the application is not signed by the injured worker or the worker's representative.");
        }

        if (rules.RequireDecisionAttached && ur.DecisionAttached == false)
        {
            reasons.Add($"No {decision}: a copy of the written {decision} is not attached to the application.");
        }

        // A conditional non-certification (denied only for want of information asked for) is not a decision on medical
        // necessity: it has its own reason, not the generic one.
        var conditional = package.DisputedItems.Where(i => i.UrOutcome == UrOutcome.ConditionalNonCertification).Select(i => i.ItemId).ToList();
        if (conditional.Count > 0)
        {
            reasons.Add($"Not a decision on medical necessity: item(s) {string.Join(", ", conditional)} were denied only because the information the claims administrator asked for was not sent (a conditional non-certification).");
        }

        // Only what the decision denied, modified or delayed can go to IMR.
        var notDisputable = package.DisputedItems.Where(i => i.UrOutcome != UrOutcome.ConditionalNonCertification && !rules.DisputableOutcomes.Contains(i.UrOutcome)).Select(i => i.ItemId).ToList();
        if (notDisputable.Count > 0)
        {
            var verbs = rules.DisputableOutcomes.Select(o => o switch { UrOutcome.Denied => "deny", UrOutcome.Modified => "modify", UrOutcome.Delayed => "delay", _ => o.ToString().ToLowerInvariant() }).ToList();
            var said = verbs.Count == 1 ? verbs[0] : $"{string.Join(", ", verbs.Take(verbs.Count - 1))} or {verbs[^1]}";
            reasons.Add($"Not disputable: {rules.DecidedBy} did not {said} item(s) {string.Join(", ", notDisputable)}.");
        }

        if (package.DisputeType == DisputeType.Coverage)
        {
            reasons.Add("Coverage decision: the dispute is whether the service is covered by the contract, not whether it is medically necessary; coverage decisions are not referred for independent review.");
        }

        if (rules.RequireGrievanceFirst && package.PlanGrievance is { Status: GrievanceStatus.Pending, WaivedByDepartment: not true } grievance)
        {
            var waited = package.ApplicationDate.DayNumber - grievance.FiledOn.DayNumber;
            var needed = package.Expedited ? rules.ExpeditedGrievanceDays : rules.GrievanceDays;
            if (waited < needed)
            {
                reasons.Add($"Plan grievance not completed: the grievance was filed with the health plan on {grievance.FiledOn:yyyy-MM-dd}, {waited} day(s) before the application; " +
                    $"Independent Medical Review may be asked for once the plan upholds its decision or after {needed} days without a resolution{(package.Expedited ? " (urgent case)" : "")}.");
            }
        }

        if (package.DisputeType == DisputeType.Liability && !rules.DeferLiability)
        {
            reasons.Add("Not a medical-necessity dispute: liability for the treatment is not decided by this review.");
        }

        var mine = ApplicationFingerprint.Of(package);
        var others = onFile.Where(a => a.Fingerprint.CaseNumber != mine.CaseNumber).OrderBy(a => a.Fingerprint.CaseNumber, StringComparer.Ordinal).ToList();
        var duplicate = others.FirstOrDefault(a => IsDuplicate(mine, a.Fingerprint));
        if (duplicate is not null)
        {
            reasons.Add($"Duplicate: the same worker, treatment and {decision} are already the subject of case {duplicate.Fingerprint.CaseNumber} ({(duplicate.Decided ? "decided" : "open")}).");
        }

        if (reasons.Count > 0)
        {
            return new EligibilityDecision(EligibilityOutcome.Ineligible, reasons, duplicate?.Fingerprint.CaseNumber);
        }

        if (package.DisputeType == DisputeType.Liability)
        {
            // IMR decides medical necessity only; a liability dispute is resolved elsewhere first.
            return new EligibilityDecision(EligibilityOutcome.Deferred, ["Deferred: the claims administrator disputes liability for the treatment; IMR waits until liability is resolved."]);
        }

        // Same worker (and injury date, part of the worker key) and requesting physician: one case when combining is on.
        var combineWith = rules.CombineApplications
            ? others.FirstOrDefault(a => !a.Decided && IsCombinable(mine, a.Fingerprint))?.Fingerprint.CaseNumber
            : null;
        return new EligibilityDecision(EligibilityOutcome.Eligible, combineWith is null ? [] : [$"Combined: the application joins open case {combineWith} (same worker, requesting physician and date of injury)."], CombineWith: combineWith);
    }

    /// <summary>
    /// Whether an application on file can bear on this one's screening (as its duplicate, or as the case to combine it
    /// with). Only these need the state of their case looked up: a worker's other applications do not.
    /// </summary>
    public static bool Concerns(ApplicationFingerprint mine, ApplicationFingerprint onFile, EligibilityRules rules) =>
        IsDuplicate(mine, onFile) || (rules.CombineApplications && IsCombinable(mine, onFile));

    private static bool IsDuplicate(ApplicationFingerprint mine, ApplicationFingerprint other) =>
        other.WorkerKey == mine.WorkerKey && other.UrDecisionKey == mine.UrDecisionKey && other.TreatmentKeys.Intersect(mine.TreatmentKeys).Any();

    private static bool IsCombinable(ApplicationFingerprint mine, ApplicationFingerprint other) =>
        other.WorkerKey == mine.WorkerKey && other.PhysicianKey == mine.PhysicianKey;
}
