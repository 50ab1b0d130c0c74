namespace Imr.Functions.Workflow;

// Orchestration records of the review deadlines: ids and instants only.

/// <summary>Asks for the reminders of an assignment whose reviewer works from <see cref="ReviewStart"/> to <see cref="ReviewerDueAt"/>.</summary>
/// <param name="Program">The case's review program; null (a run started before it was carried) reads it from the case.</param>
public sealed record ReviewScheduleRequest(string CaseNumber, string AssignmentId, DateTimeOffset ReviewStart, DateTimeOffset ReviewerDueAt, string? Program = null);

public sealed record ReminderAt(string Name, DateTimeOffset At);

public sealed record ReviewSchedule(IReadOnlyList<ReminderAt> Reminders);

public sealed record ReviewerReminder(string CaseNumber, string AssignmentId, string ReviewerId, string Name, DateTimeOffset ReviewerDueAt);

/// <summary>The reviewer of <see cref="AssignmentId"/> missed the reviewer due date; a replacement reviewer is due at <see cref="ReplacementDueAt"/>.</summary>
public sealed record MissedReviewerDue(string CaseNumber, string AssignmentId, string ReviewerId, DateTimeOffset ReplacementDueAt);
