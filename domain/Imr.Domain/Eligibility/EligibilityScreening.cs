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
    public static EligibilityDecision Screen(CasePackage package, IEnumerable<PriorApplication> onFile, EligibilityRules rules)
    {
        var reasons = new List<string>();
        var ur = package.UtilizationReview;

        // Timeliness: the window runs from service of the UR decision, longer when it was served by mail.
        var byMail = ur.ServedBy == NoticeMethod.Mail;
        var window = rules.WindowDays(byMail);
        var elapsed = package.ApplicationDate.DayNumber - ur.ServedOn.DayNumber;
        if (elapsed > window)
        {
            reasons.Add($"Untimely: the application was filed {elapsed} days after the utilization review decision was served ({(byMail ? "by mail" : "electronically")}); the limit is {window} days.");
        }

        // Only what UR denied or modified can go to IMR.
        var notDisputable = package.DisputedItems.Where(i => i.UrOutcome is not (UrOutcome.Denied or UrOutcome.Modified)).Select(i => i.ItemId).ToList();
        if (notDisputable.Count > 0)
        {
            reasons.Add($"Not disputable: the utilization review did not deny or modify item(s) {string.Join(", ", notDisputable)}.");
        }

        var mine = ApplicationFingerprint.Of(package);
        var others = onFile.Where(a => a.Fingerprint.CaseNumber != mine.CaseNumber).OrderBy(a => a.Fingerprint.CaseNumber, StringComparer.Ordinal).ToList();
        var duplicate = others.FirstOrDefault(a => IsDuplicate(mine, a.Fingerprint));
        if (duplicate is not null)
        {
            reasons.Add($"Duplicate: the same worker, treatment and utilization review decision are already the subject of case {duplicate.Fingerprint.CaseNumber} ({(duplicate.Decided ? "decided" : "open")}).");
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
