using System.Globalization;
using System.Text.Json;
using Imr.Domain.Cases;
using Imr.Functions.Storage;
using Imr.Functions.Workflow;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace Imr.Functions.Services;

/// <summary>The steps between a reviewer's (or the medical director's) answer and its event, where a crash can stop a request.</summary>
public enum AnswerStep
{
    /// <summary>The determination's submission blob is stored; nothing else is.</summary>
    SubmissionStored,
    /// <summary>The answer is recorded (claim and pending-index row); no event yet.</summary>
    Recorded,
    /// <summary>The event is raised; the answer is not yet marked raised, nor acknowledged.</summary>
    Raised,
}

/// <summary>
/// Fault points on the answer path. In production there are none; tests stop a request at a step (it never continues),
/// which leaves storage exactly as a crash of the process at that instant would.
/// </summary>
public sealed class AnswerFaults
{
    public Func<AnswerStep, CancellationToken, Task>? Hook { get; set; }

    internal Task AtAsync(AnswerStep step, CancellationToken ct) => Hook?.Invoke(step, ct) ?? Task.CompletedTask;
}

/// <summary>
/// Gets recorded answers (accept, decline, determination revision, manual choice) to their case's orchestration.
/// The routes record an answer before raising its event; this class raises it (for the route, for a retry that finds
/// the answer recorded but not raised, and for the sweep), and judges from the stored case whether the case has moved
/// past an answer, which then counts as delivered. Raising twice is harmless: the orchestration matches every event by
/// assignment id, revision or round, and drops the ones that no longer apply.
/// </summary>
public sealed class AnswerRedelivery(CallbackUses uses, CaseStore cases, DocumentStore documents, AnswerFaults faults, Escalations escalations, AuditLog audit,
    Microsoft.Extensions.Options.IOptions<ImrOptions> options, TimeProvider time, ILogger<AnswerRedelivery> logger)
{
    /// <summary>How long the request that recorded an answer has to raise it before a retry or the sweep takes over.</summary>
    public static readonly TimeSpan DeliveryLease = TimeSpan.FromSeconds(5);
    /// <summary>A raised answer the case has not moved past after this long is raised again by the sweep.</summary>
    public static readonly TimeSpan RaiseAgainAfter = TimeSpan.FromMinutes(1);
    /// <summary>An index row whose answer was never recorded (a crash in between) is dropped after this long.</summary>
    public static readonly TimeSpan OrphanIndexRowAge = TimeSpan.FromMinutes(2);

    /// <summary>Copies what the orchestration reads from storage into place, raises the event and marks the answer raised.</summary>
    public async Task RaiseAsync(DurableTaskClient durable, AnswerRecord answer, CancellationToken ct)
    {
        var caseNumber = CaseOf(answer);
        await StoreSideDataAsync(answer, caseNumber, ct);
        var (name, data) = EventOf(answer, caseNumber);
        await durable.RaiseEventAsync(CaseNumber.Parse(caseNumber).OrchestrationInstanceId, name, data, ct);
        await faults.AtAsync(AnswerStep.Raised, ct);
        await uses.MarkRaisedAsync(answer, time.GetUtcNow(), ct); // the answer in hand carries its ETag: no read
    }

    /// <summary>
    /// For a request that finds an answer recorded but not raised: waits (within the recording request's lease) for that
    /// request to raise it, then takes the delivery over. Null when it was raised meanwhile (nothing left to do).
    /// </summary>
    public async Task<AnswerRecord?> WaitOrTakeOverAsync(AnswerRecord answer, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (answer.EffectiveState != AnswerStates.Recorded) return null;
            var now = time.GetUtcNow();
            if (answer.DeliverBy is { } by && by > now)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
            }
            else if (await uses.TryTakeOverAsync(answer, now + DeliveryLease, ct))
            {
                return answer;
            }

            answer = await uses.GetAsync(answer.PartitionKey, answer.RowKey, ct) ?? throw new InvalidOperationException("A recorded answer disappeared.");
        }

        return null; // contended for longer than any lease: another request is delivering it
    }

    /// <summary>The sweep's pass over the pending-answers index (one partition, read every sweep).</summary>
    /// <returns>How many answers were raised.</returns>
    public async Task<int> DeliverPendingAsync(DurableTaskClient durable, CancellationToken ct = default)
    {
        var raised = 0;
        var now = time.GetUtcNow();
        foreach (var pending in await uses.ListPendingAsync(ct))
        {
            var answer = await uses.GetAsync(pending.Key, pending.Use, ct);
            if (answer is null)
            {
                if (pending.Since < now - OrphanIndexRowAge) await uses.RemovePendingAsync(pending.Key, pending.Use, ct);
                continue;
            }

            if (await DeliverAsync(durable, answer, null, ct)) raised++;
        }

        return raised;
    }

    /// <summary>
    /// The sweep's look at one case (when its reconcile or deadline check is due): the answers recorded for its current
    /// assignment and its manual-assignment round that the case has not moved past are raised again. Point reads only.
    /// This also finds answers recorded before the pending index existed.
    /// </summary>
    public async Task<int> DeliverForCaseAsync(DurableTaskClient durable, CaseEntity c, CancellationToken ct = default)
    {
        if (c.State == CaseStatus.Closed) return 0;
        var found = new List<AnswerRecord?>();
        if (c.CurrentAssignmentId is { } current)
        {
            found.Add(await uses.GetAsync(current, ReviewerCallbacks.OfferAnswer, ct));
            var assignment = await cases.GetAssignmentAsync(c.PartitionKey, current, ct);
            if (assignment is not null) found.Add(await uses.GetAsync(current, ReviewerCallbacks.DeterminationUse(assignment.DeterminationRevision), ct));
        }

        if (c.ManualAssignmentRound > 0)
        {
            found.Add(await uses.GetAsync(RosterAdmin.RoundId(c.PartitionKey, c.ManualAssignmentRound), RosterAdmin.ManualAssignmentUse, ct));
        }

        var raised = 0;
        foreach (var answer in found)
        {
            if (answer is not null && answer.EffectiveState != AnswerStates.Delivered && await DeliverAsync(durable, answer, c, ct)) raised++;
        }

        return raised;
    }

    /// <summary>One recorded answer: delivered already (case moved past it), being raised by its own request, or raised now.</summary>
    private async Task<bool> DeliverAsync(DurableTaskClient durable, AnswerRecord answer, CaseEntity? c, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (answer.EffectiveState == AnswerStates.Delivered)
        {
            await uses.RemovePendingAsync(answer.PartitionKey, answer.RowKey, ct);
            return false;
        }

        var caseNumber = CaseOf(answer);
        c ??= await cases.GetAsync(caseNumber, ct);
        if (answer.Answer is null && answer.RowKey == ReviewerCallbacks.OfferAnswer)
        {
            // A claim of that time shared by accept and decline: a decline had stored its reason on the assignment first.
            var offered = await cases.GetAssignmentAsync(caseNumber, answer.PartitionKey, ct);
            answer.Answer = offered?.DeclineReason is null ? AnswerKinds.Accepted : AnswerKinds.Declined;
        }

        if (await MovedPastAsync(answer, caseNumber, c, ct))
        {
            await uses.MarkDeliveredAsync(answer.PartitionKey, answer.RowKey, now, ct);
            return false;
        }

        await EscalateIfStalledAsync(answer, caseNumber, now, ct);

        if (answer.EffectiveState == AnswerStates.Recorded && answer.DeliverBy > now) return false; // its own request is on it
        if (answer.EffectiveState == AnswerStates.Raised && answer.RaisedAt > now - RaiseAgainAfter) return false; // give the orchestration time
        var kind = KindOf(answer);
        if (kind == AnswerKinds.Determination && !await documents.ExistsAsync(StorageNames.SubmissionsContainer, SubmissionOf(answer, caseNumber), ct))
        {
            logger.LogWarning("Answer {Key}/{Use} of case {CaseNumber} names a submission that is not stored; not raised", answer.PartitionKey, answer.RowKey, caseNumber);
            return false;
        }

        // The decline reason goes onto the assignment even when the orchestration is not running: a restart reads it there.
        await StoreSideDataAsync(answer, caseNumber, ct);
        var instance = await durable.GetInstanceAsync(CaseNumber.Parse(caseNumber).OrchestrationInstanceId, getInputsAndOutputs: false, ct);
        if (!WorkflowStatus.TakesEvents(instance)) return false; // a stopped case is restarted by reconciliation
        if (answer.EffectiveState == AnswerStates.Recorded && !await uses.TryTakeOverAsync(answer, now + DeliveryLease, ct)) return false;

        await RaiseAsync(durable, answer, ct);
        logger.LogWarning("Case {CaseNumber}: recorded answer {Use} of {Key} raised again by the sweep ({State} before)", caseNumber, answer.RowKey, answer.PartitionKey, answer.EffectiveState);
        return true;
    }

    /// <summary>
    /// An answer still not acted on long after it was recorded: raising it again has not helped, so a person is told once
    /// (the medical director, and the case's audit trail), whatever the cause (a wedged workflow, a missing submission).
    /// </summary>
    private async Task EscalateIfStalledAsync(AnswerRecord answer, string caseNumber, DateTimeOffset now, CancellationToken ct)
    {
        var recorded = answer.RecordedAt ?? answer.Timestamp;
        if (recorded is null || recorded > now - options.Value.AnswerStallAfter) return;
        var level = $"answer-not-applied-{answer.PartitionKey}-{answer.RowKey}";
        if (await escalations.SendOnceAsync(caseNumber, level, $"IMR case {caseNumber}: a recorded answer has not taken effect",
                $"The answer \"{answer.RowKey}\" for {answer.PartitionKey}, recorded {recorded:u}, has not taken effect after {options.Value.AnswerStallAfter}. "
                + "It is passed to the case's workflow again every few minutes, but the workflow may be stalled: check the case page.", ct))
        {
            await audit.RecordAsync(caseNumber, level, "Answer not applied", $"{answer.RowKey} of {answer.PartitionKey}, recorded {recorded:u}: escalated to the medical director", ct);
            logger.LogWarning("Case {CaseNumber}: answer {Use} of {Key} not applied after {StallAfter}; escalated", caseNumber, answer.RowKey, answer.PartitionKey, options.Value.AnswerStallAfter);
        }
    }

    /// <summary>Whether the stored case shows that the orchestration acted on the answer or no longer waits for it.</summary>
    private async Task<bool> MovedPastAsync(AnswerRecord answer, string caseNumber, CaseEntity? c, CancellationToken ct)
    {
        if (c is null || c.State == CaseStatus.Closed) return true;
        switch (KindOf(answer))
        {
            case AnswerKinds.ManualAssignment:
                // Answered: the round's assignment exists; refused: a new round is awaited.
                return c.ManualAssignmentRound != RoundOf(answer) || await cases.GetAssignmentAsync(caseNumber, answer.PartitionKey, ct) is not null;
            case AnswerKinds.Determination:
                {
                    var assignment = await cases.GetAssignmentAsync(caseNumber, answer.PartitionKey, ct);
                    return assignment is null || c.CurrentAssignmentId != answer.PartitionKey || assignment.HasEnded
                        || assignment.DeterminationRevision > RevisionOf(answer) || c.LetterVersion > 0;
                }
            default:
                {
                    // Accepted (RecordAcceptance ran), declined or timed out (EndOffer ran), or another offer is current.
                    var assignment = await cases.GetAssignmentAsync(caseNumber, answer.PartitionKey, ct);
                    return assignment is null || c.CurrentAssignmentId != answer.PartitionKey || assignment.State != AssignmentStatus.Offered || assignment.AcceptedAt is not null;
                }
        }
    }

    private async Task StoreSideDataAsync(AnswerRecord answer, string caseNumber, CancellationToken ct)
    {
        if (answer.Answer == AnswerKinds.Declined && answer.DeclineReason is not null)
        {
            // The orchestration carries only the id; EndOffer reads the reason (and a declared conflict) from the assignment.
            await cases.UpdateAssignmentAsync(caseNumber, answer.PartitionKey, a =>
            {
                a.DeclineReason = answer.DeclineReason;
                a.DeclaredConflictKind = answer.DeclaredConflictKind;
                a.DeclaredConflictParty = answer.DeclaredConflictParty;
            }, ct);
        }
    }

    private static (string Name, object Data) EventOf(AnswerRecord answer, string caseNumber) => KindOf(answer) switch
    {
        AnswerKinds.Accepted => (CaseEvents.ReviewerAccepted, new ReviewerAccepted(answer.PartitionKey)),
        AnswerKinds.Declined => (AssignmentEvents.ReviewerDeclined, new ReviewerDeclined(answer.PartitionKey)),
        AnswerKinds.Determination => (CaseEvents.DeterminationSubmitted, new DeterminationSubmitted(answer.PartitionKey, SubmissionOf(answer, caseNumber), RevisionOf(answer))),
        _ => (AssignmentEvents.ManualAssignment, ManualOf(answer)),
    };

    private static ManualAssignment ManualOf(AnswerRecord answer)
    {
        var choice = JsonSerializer.Deserialize<RosterAdmin.ManualChoice>(answer.Result)!;
        return new ManualAssignment(choice.ReviewerId, choice.AssignedBy, RoundOf(answer));
    }

    // A claim written before answers carried their data (see AnswerRecord) is read from its keys, as the sweep's restart does.
    private static string KindOf(AnswerRecord answer) => answer.Answer
        ?? (answer.RowKey == RosterAdmin.ManualAssignmentUse ? AnswerKinds.ManualAssignment
            : answer.RowKey.StartsWith(ReviewerCallbacks.DeterminationUse(0), StringComparison.Ordinal) ? AnswerKinds.Determination
            : AnswerKinds.Accepted);

    private static string CaseOf(AnswerRecord answer) => answer.CaseNumber ?? answer.PartitionKey[..answer.PartitionKey.LastIndexOf("-A", StringComparison.Ordinal)];

    private static int RoundOf(AnswerRecord answer) => answer.Round > 0 ? answer.Round : int.Parse(answer.PartitionKey[(answer.PartitionKey.LastIndexOf("-A", StringComparison.Ordinal) + 2)..], CultureInfo.InvariantCulture);

    private static int RevisionOf(AnswerRecord answer) => answer.Answer is not null ? answer.Revision
        : answer.RowKey.LastIndexOf("-r", StringComparison.Ordinal) is var i and > 0 ? int.Parse(answer.RowKey[(i + 2)..], CultureInfo.InvariantCulture) : 0;

    private static string SubmissionOf(AnswerRecord answer, string caseNumber) =>
        answer.SubmissionBlobName ?? ReviewerCallbacks.SubmissionBlobName(caseNumber, answer.PartitionKey, RevisionOf(answer));
}
