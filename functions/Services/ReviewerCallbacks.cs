using System.Text.Json;
using Imr.Domain.Callbacks;
using Imr.Domain.Cases;
using Imr.Domain.Determinations;
using Imr.Functions.Storage;
using Imr.Functions.Workflow;
using Imr.Functions.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using static Imr.Functions.Web.Html;

namespace Imr.Functions.Services;

/// <summary>
/// The reviewer's side of the workflow. GET renders a page and never changes state (mail scanners follow links);
/// the page's form POSTs the action, which is single-use and verified against the signed token. A link that is
/// tampered with, expired, superseded by a reassignment or already used gets its own page and changes nothing.
/// </summary>
public sealed class ReviewerCallbacks(
    CallbackTokenService tokens,
    CaseStore cases,
    DocumentStore documents,
    DocumentLinks documentLinks,
    CallbackUses uses,
    AnswerRedelivery delivery,
    AnswerFaults faults,
    Microsoft.Extensions.Options.IOptions<ImrOptions> options,
    TimeProvider time,
    ILogger<ReviewerCallbacks> logger)
{
    /// <summary>Accept and decline share one use: the first answer to an offer is the answer.</summary>
    public const string OfferAnswer = "accept";
    private const string SubmitUse = "determination";
    public static readonly TimeSpan DocumentLinkLifetime = Imr.Domain.Deadlines.LinkLifetimes.DocumentLink;

    /// <summary>
    /// The audit row of a reviewer's answer through a link. The step that acts on the answer records it with its own rows
    /// in one request (acceptance, decline, the letter's issuance), so the trail says what the case received.
    /// </summary>
    public static (string StepId, string What, string Details) AnsweredRow(string assignmentId, CallbackAction action) =>
        ($"{assignmentId}-link-{action}", "Reviewer answered", $"{action} through the link of assignment {assignmentId}");

    /// <summary>The single-use key of a determination revision (a revision returned for correction is its own use).</summary>
    public static string DeterminationUse(int revision) => SubmitUse + RevisionSuffix(revision);

    /// <summary>Where the determination of an assignment's revision is stored; the event names it.</summary>
    public static string SubmissionBlobName(string caseNumber, string assignmentId, int revision) => CaseNames.SubmissionBlob(caseNumber, assignmentId, revision);

    public async Task<IActionResult> ShowOfferAsync(string assignmentId, string? token, CancellationToken ct)
    {
        var (link, page) = await CheckAsync(assignmentId, token, CallbackAction.Accept, OfferAnswer, ct);
        if (page is not null) return page;
        return await OfferPageAsync(link!, new FormState(), 200, ct);
    }

    /// <param name="token">The posted form's token field.</param>
    public async Task<IActionResult> AcceptAsync(string assignmentId, string? token, DurableTaskClient durable, CancellationToken ct)
    {
        var (link, page) = await CheckAsync(assignmentId, token, CallbackAction.Accept, OfferAnswer, ct);
        if (page is not null) return page;
        return await RecordAndDeliverAsync(link!, link!.Recorded ?? Answer(link, OfferAnswer, AnswerKinds.Accepted, "You have accepted this review. The link to the case and the determination form is on its way."),
            durable, store: null, ct);
    }

    /// <param name="form">The posted decline form (token, reason, declared conflict), read by the trigger.</param>
    public async Task<IActionResult> DeclineAsync(string assignmentId, FormState form, DurableTaskClient durable, CancellationToken ct)
    {
        var (link, page) = await CheckAsync(assignmentId, form["token"], CallbackAction.Decline, OfferAnswer, ct);
        if (page is not null) return page;
        if (link!.Recorded is null)
        {
            var (reason, conflict) = ReviewerForms.ReadDecline(form);
            if (!form.IsValid)
            {
                return await OfferPageAsync(link, form, 400, ct);
            }

            // The reason travels in the recorded answer and is put on the assignment before the event is raised: the
            // orchestration carries only the id and reads the reason from the assignment.
            var answer = Answer(link, OfferAnswer, AnswerKinds.Declined, "You have declined this review. Thank you for letting us know." + (conflict is null ? "" : " The conflict you declared is recorded in the roster."));
            answer.DeclineReason = reason;
            answer.DeclaredConflictKind = conflict?.Kind.ToString();
            answer.DeclaredConflictParty = conflict?.Name;
            return await RecordAndDeliverAsync(link, answer, durable, store: null, ct);
        }

        return await RecordAndDeliverAsync(link, link.Recorded, durable, store: null, ct);
    }

    public async Task<IActionResult> ShowReviewAsync(string assignmentId, string? token, CancellationToken ct)
    {
        var (link, page) = await CheckAsync(assignmentId, token, CallbackAction.SubmitDetermination, SubmitUse, ct);
        if (page is not null) return page;
        return await ReviewPageAsync(link!, token!, new FormState(), 200, ct);
    }

    /// <param name="form">The posted determination form, read by the trigger.</param>
    public async Task<IActionResult> SubmitDeterminationAsync(string assignmentId, FormState form, DurableTaskClient durable, CancellationToken ct)
    {
        var token = form["token"];
        var (link, page) = await CheckAsync(assignmentId, token, CallbackAction.SubmitDetermination, SubmitUse, ct);
        if (page is not null) return page;
        if (link!.Recorded is { } recorded)
        {
            // Recorded by an earlier request that did not finish: that determination is the answer; deliver it.
            return await RecordAndDeliverAsync(link, recorded, durable, store: null, ct);
        }

        var determination = ReviewerForms.ReadDetermination(form, link.Package);
        if (determination is null)
        {
            return await ReviewPageAsync(link, token, form, 400, ct);
        }

        // Stored before the answer is recorded; orchestration state carries only the blob's name. A determination returned
        // for correction is resubmitted as a new revision: its own blob and its own single-use claim.
        var claims = link.Claims;
        var revision = link.Assignment.DeterminationRevision;
        var submissionBlob = SubmissionBlobName(claims.CaseNumber, assignmentId, revision);
        var answer = Answer(link, DeterminationUse(revision), AnswerKinds.Determination, "");
        answer.SubmissionBlobName = submissionBlob;
        answer.Revision = revision;
        return await RecordAndDeliverAsync(link, answer, durable, store: async () =>
        {
            // Create-once: when an earlier attempt stored its determination first (it crashed before recording, or a
            // concurrent submit won), that one is the answer, and the result names what it holds.
            if (!await documents.CreateOnceAsync(StorageNames.SubmissionsContainer, submissionBlob, BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(determination, CasePackage.JsonOptions)), "application/json", ct))
            {
                determination = JsonSerializer.Deserialize<Determination>((await documents.ReadAsync(StorageNames.SubmissionsContainer, submissionBlob, ct)).ToMemory().Span, CasePackage.JsonOptions)!;
            }

            // The result names what was received (per item: outcome and evidence relied on), so a repeated submit shows it.
            answer.Result = string.Join("\n", ReviewerForms.Received(determination, link.Package).Prepend("Your determination has been received. The Final Determination Letter will be issued from it."));
        }, ct);
    }

    /// <param name="Recorded">The answer to this link's use, recorded by an earlier request that did not raise it (a crash): the retry completes it.</param>
    private sealed record CheckedLink(CallbackClaims Claims, CaseEntity Case, AssignmentLinkFacts Assignment, CasePackage Package, AnswerRecord? Recorded);

    private async Task<IActionResult> OfferPageAsync(CheckedLink link, FormState decline, int status, CancellationToken ct)
    {
        var c = link.Claims;
        // The page carries a decline token of its own: each action has its own signed, single-purpose credential.
        var declineToken = tokens.Issue(c with { Action = CallbackAction.Decline });
        var acceptToken = tokens.Issue(c);
        var acceptBy = link.Assignment.OfferedAt + options.Value.DeadlinePolicy.ScaledAcceptanceWindow;
        await Task.CompletedTask;
        return ReviewerPages.Offer(c.CaseNumber, link.Package, acceptBy, acceptToken, declineToken, decline, status);
    }

    private async Task<IActionResult> ReviewPageAsync(CheckedLink link, string token, FormState form, int status, CancellationToken ct)
    {
        var lifetime = Imr.Domain.Deadlines.LinkLifetimes.DocumentLinkLifetime(link.Claims.ExpiresAt, time.GetUtcNow());
        var docs = new List<DocumentLink>();
        foreach (var d in link.Package.Documents)
        {
            docs.Add(new DocumentLink(d.FileName, d.MediaType, await documentLinks.ReadOnlyAsync(StorageNames.CaseFilesContainer, CaseIntake.DocumentBlobName(link.Claims.CaseNumber, d.FileName), lifetime, ct)));
        }

        return ReviewerPages.Review(link.Claims.CaseNumber, link.Package, link.Case.ReviewerDueAt, docs, lifetime, token, form, status);
    }

    private AnswerRecord Answer(CheckedLink link, string use, string kind, string result) => new()
    {
        PartitionKey = link.Claims.AssignmentId,
        RowKey = use,
        CaseNumber = link.Claims.CaseNumber,
        Answer = kind,
        Result = result,
        DeliverBy = time.GetUtcNow() + AnswerRedelivery.DeliveryLease,
    };

    /// <summary>
    /// Records the answer, then raises its event, then marks it raised, and only then acknowledges it. A crash at any
    /// point leaves either nothing (the retry does it all), the submission blob (the retry records and raises it), or the
    /// recorded answer (the retry, or the sweep, raises it). An answer already raised gets the first result again.
    /// </summary>
    /// <param name="store">Stores what the answer refers to (the submission blob) and sets its result; runs before it is recorded.</param>
    private async Task<IActionResult> RecordAndDeliverAsync(CheckedLink link, AnswerRecord answer, DurableTaskClient durable, Func<Task>? store, CancellationToken ct)
    {
        var claims = link.Claims;
        var instanceId = CaseNumber.Parse(claims.CaseNumber).OrchestrationInstanceId;
        var instance = await durable.GetInstanceAsync(instanceId, getInputsAndOutputs: false, ct);
        if (!WorkflowStatus.TakesEvents(instance))
        {
            // An event sent before the instance runs can be dropped by the backend: tell the reviewer instead of losing it.
            return link.Recorded is null
                ? Message("Please try again shortly", "This case is not ready to receive your answer yet. Nothing was recorded; please submit again in a minute.", 503)
                : Message("Your answer is recorded", "Your answer is recorded and will be passed on as soon as the case is ready. You may submit again in a minute to confirm.", 503);
        }

        if (answer.State is null)
        {
            if (store is not null)
            {
                await store();
                await faults.AtAsync(AnswerStep.SubmissionStored, ct);
            }

            (answer, var first) = await uses.RecordAsync(answer, time.GetUtcNow(), ct);
            if (!first && answer.EffectiveState != AnswerStates.Recorded) return Reused(answer.Result); // a concurrent request raised it
            if (first) await faults.AtAsync(AnswerStep.Recorded, ct);
            else if (await delivery.WaitOrTakeOverAsync(answer, ct) is null) return Reused(answer.Result);
        }
        else if (await delivery.WaitOrTakeOverAsync(answer, ct) is null)
        {
            return Reused(answer.Result); // its own request raised it meanwhile
        }

        try
        {
            await delivery.RaiseAsync(durable, answer, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Recorded, so not lost: the sweep raises it, or the reviewer's retry does.
            logger.LogWarning(ex, "Reviewer {Action} for assignment {AssignmentId} recorded but not yet delivered", claims.Action, claims.AssignmentId);
            return Message("Your answer is recorded", "Your answer is recorded but could not be passed on just now. It will be passed on automatically; you may also submit again in a minute.", 503);
        }

        logger.LogInformation("Reviewer {Action} for assignment {AssignmentId} delivered", claims.Action, claims.AssignmentId);
        return Page("Thank you", Paragraphs(answer.Result, "role=\"status\""));
    }

    private async Task<(CheckedLink? Link, IActionResult? Page)> CheckAsync(string assignmentId, string? token, CallbackAction action, string use, CancellationToken ct)
    {
        var verification = tokens.Verify(token, action, assignmentId);
        CaseEntity? caseEntity = null;
        AssignmentLinkFacts? assignment = null;
        AnswerRecord? answer = null;
        if (verification.Claims is { } c && verification.Problem == TokenProblem.None)
        {
            caseEntity = await cases.GetAsync(c.CaseNumber, ct);
            // The case row says what a link of its current assignment needs; any other assignment's row is read.
            assignment = caseEntity?.CurrentAssignmentLink(assignmentId) ?? (await cases.GetAssignmentAsync(c.CaseNumber, assignmentId, ct))?.LinkFacts();
            answer = assignment is null ? null : await uses.GetAsync(assignmentId, UseOf(use, assignment), ct);
        }

        // An answer recorded but never raised (its request stopped) leaves the link usable: the retry completes it.
        var recorded = answer?.EffectiveState == AnswerStates.Recorded ? answer : null;

        var facts = caseEntity is null || assignment is null ? null
            : new AssignmentFacts(assignment.AssignmentId, assignment.ReviewerId, caseEntity.CurrentAssignmentId == assignmentId, assignment.HasEnded);
        var outcome = CallbackLinkRules.Judge(verification, facts, answer is not null && recorded is null);
        switch (outcome)
        {
            case LinkOutcome.Usable:
                var package = await documents.ReadAcceptedPackageAsync(caseEntity!, ct);
                return (new CheckedLink(verification.Claims!, caseEntity!, assignment!, package, recorded), null);
            case LinkOutcome.Expired:
                return (null, Message("This link has expired", "The link is no longer valid. Nothing was changed. Contact the IMR organization if you still need to act on this case.", 410));
            case LinkOutcome.Superseded:
                return (null, Message("This assignment has ended", "The case has been reassigned or this offer was withdrawn, so this link no longer applies. Nothing was changed.", 410));
            case LinkOutcome.Reused:
                return (null, Reused(answer!.Result));
            default:
                logger.LogWarning("Rejected reviewer link for assignment {AssignmentId}: {Problem}", assignmentId, verification.Problem);
                return (null, Message("This link is not valid", "The link is damaged or was not issued for this page. Nothing was changed.", 403));
        }
    }

    internal static string RevisionSuffix(int revision) => CaseNames.RevisionSuffix(revision);

    /// <summary>The single-use key of an action; each revision of a determination returned for correction is its own use.</summary>
    private static string UseOf(string use, AssignmentLinkFacts assignment) => use == SubmitUse ? DeterminationUse(assignment.DeterminationRevision) : use;

    private static HtmlPage Reused(string firstResult) =>
        Page("Already received", $"<p role=\"status\">This link has already been used, so nothing more was done. The first use had this result:</p><blockquote>{Paragraphs(firstResult)}</blockquote>");

    /// <summary>A stored result, one paragraph per line (the first paragraph may carry attributes).</summary>
    private static string Paragraphs(string text, string firstAttributes = "") =>
        string.Concat(text.Split('\n').Select((line, i) => i == 0 && firstAttributes.Length > 0 ? $"<p {firstAttributes}>{E(line)}</p>" : $"<p>{E(line)}</p>"));
}
