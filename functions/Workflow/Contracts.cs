namespace Imr.Functions.Workflow;

// Records passed through orchestration state: names and ids, never documents or PHI-bearing payloads.

/// <param name="Resume">Set when the sweep restarts a stopped case: where to pick it up (intake and registration are done).</param>
public sealed record CaseWorkflowInput(string CaseNumber, string ManifestBlobName, ResumePoint? Resume = null);

public sealed record CaseRegistered(string CaseNumber, DateTimeOffset CaseDueAt, DateTimeOffset ReviewerDueAt, TimeSpan AcceptanceWindow, int MaxOfferRounds)
{
    /// <summary>The case's review program (selects its reminder policy), so scheduling a review reads no case row.</summary>
    public string? Program { get; init; }

    /// <summary>
    /// From workflow version 3.2: the program's reminder points, compressed, so the orchestration computes each reviewer's
    /// reminders itself (<see cref="Imr.Domain.Deadlines.ReminderPoint.Schedule"/>) instead of asking an activity.
    /// </summary>
    public IReadOnlyList<Imr.Domain.Deadlines.ReminderPoint>? Reminders { get; init; }
}

public sealed record AssignmentRequest(string CaseNumber, int Round, IReadOnlyList<string> ExcludedReviewerIds);

public sealed record AssignmentOffer(string CaseNumber, string AssignmentId, string ReviewerId);

public sealed record AssignmentEnded(string CaseNumber, string AssignmentId, string Reason);

public sealed record CaseEscalation(string CaseNumber, string Level, string Reason)
{
    /// <summary>For a manual-assignment escalation: the round whose choice the orchestration waits for.</summary>
    public int AwaitedRound { get; init; }
}

/// <param name="CloseWith">From workflow version 3.1: the assignment to close the case with once the letter is issued
/// (no separate CloseCase step); null: the orchestration closes the case itself.</param>
public sealed record IssueRequest(string CaseNumber, string AssignmentId, string SubmissionBlobName, int Revision = 0, AssignmentOffer? CloseWith = null);

/// <summary>The case's first step: its row. From workflow version 3.1 the row also records the version (no separate step).</summary>
public sealed record OpenCaseStep(string CaseNumber, string ManifestBlobName, string? WorkflowVersion = null);

/// <summary>The issued letter (its text rendering's blob and hash), or, when the quality check failed, the case back with the reviewer.</summary>
public sealed record IssuedLetter(string LetterBlobName, string Sha256, string Outcomes)
{
    public int Version { get; init; } = 1;
    public string? PdfBlobName { get; init; }
    public string? PdfSha256 { get; init; }
    /// <summary>The determination failed the quality check and went back to the reviewer, who submits revision <see cref="NextRevision"/>.</summary>
    public bool ReturnedForCorrection { get; init; }
    public int NextRevision { get; init; }
}

/// <summary>A step of the case failed for good (or outlasted its retries): the step's name and the failure's type, never its text.</summary>
/// <param name="Transient">The failure was transient (retries exhausted): reconciliation restarts the case by itself.</param>
/// <param name="At">The orchestration's time: a repeated run of the recording activity counts the failure once.</param>
public sealed record CaseAttention(string CaseNumber, string ManifestBlobName, string Step, string ErrorType, bool Transient, DateTimeOffset At);

public sealed record CaseOutcome(string CaseNumber, string Status, string? LetterBlobName);

/// <summary>External events raised by the reviewer callback routes.</summary>
public static class CaseEvents
{
    public const string ReviewerAccepted = nameof(ReviewerAccepted);
    public const string DeterminationSubmitted = nameof(DeterminationSubmitted);
}

public sealed record ReviewerAccepted(string AssignmentId);

/// <summary>Revision 0 is the first submission; n after the determination was returned for correction n times.</summary>
public sealed record DeterminationSubmitted(string AssignmentId, string SubmissionBlobName, int Revision = 0);
