namespace Imr.Functions.Workflow;

// A change to a case under review that comes from outside the review: conversion to expedited (8 CCR 9792.10.4(c))
// and authorisation of the disputed treatment (8 CCR 9792.10.6(a)). Ids, kinds and instants only.

/// <summary>The kinds of <see cref="ReviewChange"/>.</summary>
public static class ReviewChangeKinds
{
    /// <summary>A regular review becomes expedited: the deadlines are recomputed (never later than before).</summary>
    public const string ConvertToExpedited = nameof(ConvertToExpedited);
    /// <summary>Every disputed item was authorised: the review ends without a determination.</summary>
    public const string TreatmentAuthorised = nameof(TreatmentAuthorised);
}

/// <summary>The external event of a review change (raised by <c>Services/ReviewChangeRequests</c>).</summary>
public static class ReviewChangeEvents
{
    public const string ReviewChanged = nameof(ReviewChanged);
}

/// <summary>A review change as raised: what, when it was asked for (the conversion's clock starts then), and who asked.</summary>
public sealed record ReviewChange(string Kind, DateTimeOffset RequestedAt, string RequestedBy);

/// <summary>The activity input: the change for one case.</summary>
public sealed record ReviewChangeStep(string CaseNumber, ReviewChange Change);

/// <summary>What the change did: the review ended, or the deadlines the orchestration's timers follow from now.</summary>
public sealed record ReviewChangeApplied(bool Ended, DateTimeOffset CaseDueAt, DateTimeOffset ReviewerDueAt);
