namespace Imr.Functions.Workflow;

// Records of the intake steps of the case orchestration: names and ids only.

/// <summary>Events of the intake steps, raised by the intake trigger and the eligibility admin route.</summary>
public static class IntakeEvents
{
    /// <summary>A document of the case (listed or supplementary) was attached after the case started.</summary>
    public const string RecordsReceived = nameof(RecordsReceived);
    /// <summary>Staff resolved a deferred eligibility question (e.g. liability was decided).</summary>
    public const string EligibilityResolved = nameof(EligibilityResolved);
}

public sealed record RecordsArrived(string FileName, bool Listed);

/// <summary>
/// A staff decision on a deferred case: <c>Eligible</c> or <c>Ineligible</c>. The reason is staff free text (it may name
/// the worker or the injury), so it stays in storage (the case's audit row <see cref="ReasonId"/>) and the event, which
/// goes into the durable history, carries only its id.
/// </summary>
public sealed record EligibilityResolution(string Outcome, string ReasonId);

public sealed record IntakeStep(string CaseNumber, string ManifestBlobName, DateTimeOffset At)
{
    /// <summary>From workflow version 3.2: the screening opens the case's row first, recording this version (no OpenCase step).</summary>
    public string? OpensWithVersion { get; init; }

    /// <summary>
    /// From workflow version 3.2: a step goes on with the steps after it while nothing needs waiting for: screening an
    /// eligible case requests its records (no RequestRecords step), and the records step registers the case once its
    /// records are in and makes its first offer (no RegisterCase step, no first OfferAssignment step).
    /// </summary>
    public bool FoldsLaterSteps { get; init; }
}

public sealed record ResolutionStep(string CaseNumber, string ManifestBlobName, DateTimeOffset At, EligibilityResolution Resolution);

public sealed record EligibilityScreened(string Outcome, IReadOnlyList<string> Reasons, string? DuplicateOf, string? CombineWith)
{
    /// <summary>Set when the screening went on to request the records (<see cref="IntakeStep.FoldsLaterSteps"/>).</summary>
    public RecordsStatus? Records { get; init; }
}

public sealed record IneligibilityStep(string CaseNumber, string ManifestBlobName, DateTimeOffset At, IReadOnlyList<string> Reasons, string? DuplicateOf);

/// <summary>Combine the application (<see cref="CaseNumber"/>) into the open case <see cref="TargetCaseNumber"/>.</summary>
public sealed record CombineStep(string CaseNumber, string ManifestBlobName, DateTimeOffset At, string TargetCaseNumber);

public sealed record RecordsStatus(DateTimeOffset DueAt, IReadOnlyList<string> Missing)
{
    /// <summary>Set when the step registered the case and made its first offer (<see cref="IntakeStep.FoldsLaterSteps"/>): the records are in, or their deadline passed.</summary>
    public IntakeRegistration? Registration { get; init; }
}

/// <summary>The case registered by an intake step, and its first offer (round 1); <see cref="FirstOffer"/> null: no reviewer matched.</summary>
public sealed record IntakeRegistration(CaseRegistered Case, AssignmentOffer? FirstOffer);

public sealed record RecordsCheck(string CaseNumber, string ManifestBlobName, DateTimeOffset At, DateTimeOffset DueAt, bool Final)
{
    /// <inheritdoc cref="IntakeStep.FoldsLaterSteps"/>
    public bool FoldsLaterSteps { get; init; }
}
