using System.Text.Json;
using Imr.Domain.Callbacks;
using Imr.Domain.Cases;
using Imr.Functions.Storage;
using Imr.Functions.Web;
using Imr.Functions.Workflow;
using Microsoft.AspNetCore.Http;
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
    AuditLog audit,
    Microsoft.Extensions.Options.IOptions<ImrOptions> options,
    ILogger<ReviewerCallbacks> logger)
{
    /// <summary>Accept and decline share one use: the first answer to an offer is the answer.</summary>
    internal const string OfferAnswer = "accept";
    private const string SubmitUse = "determination";
    public static readonly TimeSpan DocumentLinkLifetime = TimeSpan.FromMinutes(60);

    public async Task<IActionResult> ShowOfferAsync(string assignmentId, string? token, CancellationToken ct)
    {
        var (link, page) = await CheckAsync(assignmentId, token, CallbackAction.Accept, OfferAnswer, ct);
        if (page is not null) return page;
        return await OfferPageAsync(link!, new FormState(), 200, ct);
    }

    public async Task<IActionResult> AcceptAsync(string assignmentId, HttpRequest request, DurableTaskClient durable, CancellationToken ct)
    {
        var form = await FormAsync(request, ct);
        var (link, page) = await CheckAsync(assignmentId, form["token"], CallbackAction.Accept, OfferAnswer, ct);
        if (page is not null) return page;
        return await RaiseOnceAsync(link!.Claims, OfferAnswer, "You have accepted this review. The link to the case and the determination form is on its way.",
            durable, CaseEvents.ReviewerAccepted, new ReviewerAccepted(assignmentId), before: null, ct);
    }

    public async Task<IActionResult> DeclineAsync(string assignmentId, HttpRequest request, DurableTaskClient durable, CancellationToken ct)
    {
        var form = await FormAsync(request, ct);
        var (link, page) = await CheckAsync(assignmentId, form["token"], CallbackAction.Decline, OfferAnswer, ct);
        if (page is not null) return page;
        var (reason, conflict) = ReviewerForms.ReadDecline(form);
        if (!form.IsValid)
        {
            return await OfferPageAsync(link!, form, 400, ct);
        }

        var claims = link!.Claims;
        return await RaiseOnceAsync(claims, OfferAnswer, "You have declined this review. Thank you for letting us know." + (conflict is null ? "" : " The conflict you declared is recorded in the roster."),
            durable, AssignmentEvents.ReviewerDeclined, new ReviewerDeclined(assignmentId),
            // Stored before the event is raised; the orchestration reads it from the assignment (it carries only the id).
            before: () => cases.UpdateAssignmentAsync(claims.CaseNumber, assignmentId, a =>
            {
                a.DeclineReason = reason;
                a.DeclaredConflictKind = conflict?.Kind.ToString();
                a.DeclaredConflictParty = conflict?.Name;
            }, ct), ct);
    }

    public async Task<IActionResult> ShowReviewAsync(string assignmentId, string? token, CancellationToken ct)
    {
        var (link, page) = await CheckAsync(assignmentId, token, CallbackAction.SubmitDetermination, SubmitUse, ct);
        if (page is not null) return page;
        return await ReviewPageAsync(link!, token!, new FormState(), 200, ct);
    }

    public async Task<IActionResult> SubmitDeterminationAsync(string assignmentId, HttpRequest request, DurableTaskClient durable, CancellationToken ct)
    {
        if (!request.HasFormContentType)
        {
            return Message("Not a form", "Submit the determination from its page.", 415);
        }

        var form = await FormAsync(request, ct);
        var token = form["token"];
        var (link, page) = await CheckAsync(assignmentId, token, CallbackAction.SubmitDetermination, SubmitUse, ct);
        if (page is not null) return page;
        var determination = ReviewerForms.ReadDetermination(form, link!.Package);
        if (determination is null)
        {
            return await ReviewPageAsync(link, token, form, 400, ct);
        }

        // Stored before the event is raised; orchestration state carries only the blob's name.
        // A determination returned for correction is resubmitted as a new revision: its own blob and its own single-use claim.
        var claims = link.Claims;
        var revision = link.Assignment.DeterminationRevision;
        var submissionBlob = $"{claims.CaseNumber}/{assignmentId}{RevisionSuffix(revision)}.json";
        // The result names what was received (per item: outcome and evidence relied on), so a repeated submit shows it.
        var received = string.Join("\n", ReviewerForms.Received(determination, link.Package).Prepend("Your determination has been received. The Final Determination Letter will be issued from it."));
        return await RaiseOnceAsync(claims, UseOf(SubmitUse, link.Assignment), received,
            durable, CaseEvents.DeterminationSubmitted, new DeterminationSubmitted(assignmentId, submissionBlob, revision),
            before: () => documents.CreateOnceAsync(StorageNames.SubmissionsContainer, submissionBlob, BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(determination, CasePackage.JsonOptions)), "application/json", ct), ct);
    }

    private sealed record CheckedLink(CallbackClaims Claims, CaseEntity Case, AssignmentEntity Assignment, CasePackage Package);

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
        var lifetime = DocumentLinkLifetime < link.Claims.ExpiresAt - DateTimeOffset.UtcNow ? DocumentLinkLifetime : TimeSpan.FromMinutes(5);
        var docs = new List<DocumentLink>();
        foreach (var d in link.Package.Documents)
        {
            docs.Add(new DocumentLink(d.FileName, d.MediaType, await documentLinks.ReadOnlyAsync(StorageNames.CaseFilesContainer, CaseIntake.DocumentBlobName(link.Claims.CaseNumber, d.FileName), lifetime, ct)));
        }

        return ReviewerPages.Review(link.Claims.CaseNumber, link.Package, link.Case.ReviewerDueAt, docs, lifetime, token, form, status);
    }

    private async Task<IActionResult> RaiseOnceAsync(CallbackClaims claims, string use, string doneMessage, DurableTaskClient durable, string eventName, object eventData, Func<Task>? before, CancellationToken ct)
    {
        var instanceId = CaseNumber.Parse(claims.CaseNumber).OrchestrationInstanceId;
        var instance = await durable.GetInstanceAsync(instanceId, getInputsAndOutputs: false, ct);
        if (instance is null || instance.RuntimeStatus != OrchestrationRuntimeStatus.Running)
        {
            // An event sent before the instance runs can be dropped by the backend: tell the reviewer instead of losing it.
            return Message("Please try again shortly", "This case is not ready to receive your answer yet. Nothing was recorded; please submit again in a minute.", 503);
        }

        var first = await uses.TryClaimAsync(claims.AssignmentId, use, doneMessage, ct);
        if (first is not null)
        {
            return Reused(first);
        }

        try
        {
            if (before is not null) await before();
            await durable.RaiseEventAsync(instanceId, eventName, eventData, ct);
        }
        catch
        {
            await uses.ReleaseAsync(claims.AssignmentId, use, ct);
            throw;
        }

        await audit.RecordAsync(claims.CaseNumber, $"{claims.AssignmentId}-link-{claims.Action}", "Reviewer answered", $"{claims.Action} through the link of assignment {claims.AssignmentId}", ct);
        logger.LogInformation("Reviewer {Action} for assignment {AssignmentId} delivered", claims.Action, claims.AssignmentId);
        return Page("Thank you", Paragraphs(doneMessage, "role=\"status\""));
    }

    private async Task<(CheckedLink? Link, IActionResult? Page)> CheckAsync(string assignmentId, string? token, CallbackAction action, string use, CancellationToken ct)
    {
        var verification = tokens.Verify(token, action, assignmentId);
        CaseEntity? caseEntity = null;
        AssignmentEntity? assignment = null;
        string? firstResult = null;
        if (verification.Claims is { } c && verification.Problem == TokenProblem.None)
        {
            caseEntity = await cases.GetAsync(c.CaseNumber, ct);
            assignment = await cases.GetAssignmentAsync(c.CaseNumber, assignmentId, ct);
            firstResult = assignment is null ? null : await uses.FirstResultAsync(assignmentId, UseOf(use, assignment), ct);
        }

        var facts = caseEntity is null || assignment is null ? null
            : new AssignmentFacts(assignment.RowKey, assignment.ReviewerId, caseEntity.CurrentAssignmentId == assignmentId, AssignmentActivities.HasEnded(assignment.Status));
        var outcome = CallbackLinkRules.Judge(verification, facts, firstResult is not null);
        switch (outcome)
        {
            case LinkOutcome.Usable:
                var package = await PackageAsync(caseEntity!, ct);
                return (new CheckedLink(verification.Claims!, caseEntity!, assignment!, package), null);
            case LinkOutcome.Expired:
                return (null, Message("This link has expired", "The link is no longer valid. Nothing was changed. Contact the IMR organization if you still need to act on this case.", 410));
            case LinkOutcome.Superseded:
                return (null, Message("This assignment has ended", "The case has been reassigned or this offer was withdrawn, so this link no longer applies. Nothing was changed.", 410));
            case LinkOutcome.Reused:
                return (null, Reused(firstResult!));
            default:
                logger.LogWarning("Rejected reviewer link for assignment {AssignmentId}: {Problem}", assignmentId, verification.Problem);
                return (null, Message("This link is not valid", "The link is damaged or was not issued for this page. Nothing was changed.", 403));
        }
    }

    internal static string RevisionSuffix(int revision) => revision == 0 ? "" : $"-r{revision}";

    /// <summary>The single-use key of an action; each revision of a determination returned for correction is its own use.</summary>
    private static string UseOf(string use, AssignmentEntity assignment) => use == SubmitUse ? use + RevisionSuffix(assignment.DeterminationRevision) : use;

    private static ContentResult Reused(string firstResult) =>
        Page("Already received", $"<p role=\"status\">This link has already been used, so nothing more was done. The first use had this result:</p><blockquote>{Paragraphs(firstResult)}</blockquote>");

    /// <summary>A stored result, one paragraph per line (the first paragraph may carry attributes).</summary>
    private static string Paragraphs(string text, string firstAttributes = "") =>
        string.Concat(text.Split('\n').Select((line, i) => i == 0 && firstAttributes.Length > 0 ? $"<p {firstAttributes}>{E(line)}</p>" : $"<p>{E(line)}</p>"));

    private async Task<CasePackage> PackageAsync(CaseEntity caseEntity, CancellationToken ct)
    {
        return await documents.ReadAcceptedPackageAsync(caseEntity.ManifestBlobName, ct);
    }

    private static async Task<FormState> FormAsync(HttpRequest request, CancellationToken ct)
    {
        if (!request.HasFormContentType) return new FormState();
        var form = await request.ReadFormAsync(ct);
        return new FormState(form.Select(f => KeyValuePair.Create(f.Key, f.Value.ToString())));
    }
}
