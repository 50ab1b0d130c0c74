using System.Text;

namespace Imr.Domain.Eligibility;

/// <summary>The subject and plain-text body of a message to a person outside the system.</summary>
public sealed record NoticeText(string Subject, string Body);

/// <summary>
/// The messages to the reviewer, rendered here beside the notice of assignment so their wording lives in the domain and
/// the workflow only sends them. Ids, names, file names, dates and links only: no clinical content.
/// </summary>
public static class ReviewerNotices
{
    public static NoticeText Offer(string caseNumber, DateTimeOffset acceptBy, string reviewerTimeZone, string offerLink) => new(
        $"IMR case {caseNumber}: review offered",
        $"A case is offered to you for Independent Medical Review.\n\nPlease accept or decline by {InZone(acceptBy, reviewerTimeZone)}.\n\nOpen the offer: {offerLink}\n\n" +
        "If you have any professional, familial or financial affiliation with a party to this case, decline it and declare the conflict on that page.\n");

    public static NoticeText DeterminationRequest(string caseNumber, DateTimeOffset reviewerDueAt, string reviewerTimeZone, string reviewLink) => new(
        $"IMR case {caseNumber}: submit your determination",
        $"Thank you for accepting. Your determination is due {InZone(reviewerDueAt, reviewerTimeZone)}.\n\nOpen the review (case facts, documents and the determination form): {reviewLink}\n");

    public static NoticeText Reminder(string caseNumber, DateTimeOffset reviewerDueAt) => new(
        $"IMR case {caseNumber}: determination due {reviewerDueAt:u}",
        $"A reminder: your determination for this case is due {reviewerDueAt:u}. Use the determination link you were sent on acceptance.\n");

    /// <summary>The case was converted to an expedited review (8 CCR 9792.10.4(c)): the reviewer's new due date.</summary>
    public static NoticeText ConvertedToExpedited(string caseNumber, DateTimeOffset reviewerDueAt, string reviewerTimeZone) => new(
        $"IMR case {caseNumber}: now an expedited review",
        $"This case was converted to an expedited review. Your determination is now due {InZone(reviewerDueAt, reviewerTimeZone)}.\n\nUse the determination link you were sent on acceptance.\n");

    /// <summary>The disputed treatment was authorised: the review ended, the reviewer's links no longer take an answer.</summary>
    public static NoticeText ReviewEnded(string caseNumber) => new(
        $"IMR case {caseNumber}: review ended, please stop work",
        "The disputed treatment was authorised, so this review has ended without a determination. Please stop work on the case; its links no longer accept an answer.\n");

    /// <summary>An application combined into the case the reviewer is reviewing added disputed items to it.</summary>
    public static NoticeText ItemsAdded(string caseNumber, string combinedCaseNumber, IReadOnlyList<string> addedItemIds)
    {
        var body = new StringBuilder($"Application {combinedCaseNumber} was combined into IMR case {caseNumber}, which you are reviewing. Its disputed items were added to the case:\n\n");
        foreach (var id in addedItemIds) body.Append("- ").Append(id).Append('\n');
        body.Append("\nYour determination must decide each of them as well. Open your review page again with the link from your assignment message to see the added items and documents.\n");
        return new($"IMR case {caseNumber}: disputed items added", body.ToString());
    }

    /// <summary>The determination failed the quality check: the reasons, and the link to submit it again.</summary>
    public static NoticeText ReturnedForCorrection(string caseNumber, IReadOnlyList<string> reasons, string submitLink)
    {
        var body = new StringBuilder("Your determination could not be issued as a Final Determination Letter. Please correct the following and submit it again:\n\n");
        foreach (var r in reasons) body.Append("- ").Append(r).Append('\n');
        body.Append("\nSubmit the corrected determination: ").Append(submitLink).Append('\n');
        return new($"IMR case {caseNumber}: your determination needs correction", body.ToString());
    }

    /// <summary>A time in the reviewer's own time zone (UTC when the roster's zone is unknown), naming the zone.</summary>
    public static string InZone(DateTimeOffset at, string timeZone)
    {
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var z) ? z : TimeZoneInfo.Utc;
        var local = TimeZoneInfo.ConvertTime(at, zone);
        return $"{local:dddd, MMMM d, yyyy h:mm tt} ({zone.Id})";
    }
}

/// <summary>The escalations to the medical director; like <see cref="ReviewerNotices"/>, no clinical content.</summary>
public static class MedicalDirectorNotices
{
    /// <summary>No reviewer took the case: the reason, and how to assign one by hand (the admin route, never a key).</summary>
    /// <param name="workQueueLink">The staff console's work queue, where the candidates and their verdicts are and one form assigns.</param>
    public static NoticeText NeedsReviewer(string caseNumber, string reason, string workQueueLink) => new(
        $"IMR case {caseNumber} needs a reviewer",
        $"{reason}\n\nThe candidates, and why each may or may not review the case, are on your work queue; assign the case there: {workQueueLink}\n");

    public static NoticeText Overdue(string caseNumber) => new(
        $"IMR case {caseNumber} is overdue",
        "The case has passed its due date without a determination. The review continues.");

    /// <summary>Why a case needs attention (also recorded on the case): the failed step and whether retrying can cure it.</summary>
    public static string AttentionReason(string step, string errorType, bool transient, int maxAttempts) => transient
        ? $"Step {step} kept failing ({errorType}) after {maxAttempts} attempts; reconciliation restarts the case at its stored step."
        : $"Step {step} failed ({errorType}); retrying cannot cure it. Correct the cause, then retry the case from its page in the staff console.";

    public static NoticeText NeedsAttention(string caseNumber, string reason) => new($"IMR case {caseNumber} needs attention", reason);

    public static NoticeText ReviewerMissedDue(string caseNumber, string assignmentId, string reviewerId) => new(
        $"IMR case {caseNumber}: reviewer missed the due date",
        $"Assignment {assignmentId} (reviewer {reviewerId}) passed its reviewer due date without a determination. The assignment is withdrawn and the case is offered to the next eligible reviewer; the case's due date is unchanged.");
}

/// <summary>The message that serves an issued Final Determination Letter (attached as PDF) on a party.</summary>
public static class LetterNotices
{
    public static NoticeText Issued(string caseNumber, int version, string fileName) => new(
        version == 1
            ? $"IMR case {caseNumber}: Final Determination Letter"
            : $"IMR case {caseNumber}: corrected Final Determination Letter (version {version})",
        (version == 1
            ? $"The Final Determination Letter of Independent Medical Review case {caseNumber} is attached ({fileName})."
            : $"A corrected Final Determination Letter (version {version}) of Independent Medical Review case {caseNumber} is attached ({fileName}). It replaces version {version - 1}.")
        + "\n\nThe letter explains what the decision means and how to appeal it.\n");
}
