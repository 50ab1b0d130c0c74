using System.Text;
using System.Text.Json;
using Imr.Domain.Callbacks;
using Imr.Domain.Cases;
using Imr.Domain.Determinations;
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
/// the page's form POSTs the action, which is single-use and verified against the signed token.
/// </summary>
public sealed class ReviewerCallbacks(CallbackTokenService tokens, CaseStore cases, DocumentStore documents, CallbackUses uses, ILogger<ReviewerCallbacks> logger)
{
    private const string AcceptAction = "accept";
    private const string SubmitAction = "determination";

    public async Task<IActionResult> ShowAcceptAsync(string assignmentId, string? token, CancellationToken ct)
    {
        var (claims, problem) = await CheckAsync(assignmentId, token, CallbackAction.Accept, ct);
        if (problem is not null) return problem;
        var package = await PackageAsync(claims!.CaseNumber, ct);
        var items = string.Concat(package.DisputedItems.Select(i => $"<li>{E(i.Description)} ({E(i.BodyPart)})</li>"));
        return Page($"Review offer: case {claims.CaseNumber}",
            $"<p>You are offered an Independent Medical Review. Disputed items:</p><ul>{items}</ul>" +
            $"<form method=\"post\"><input type=\"hidden\" name=\"token\" value=\"{E(token)}\"><button type=\"submit\">Accept the assignment</button></form>");
    }

    public async Task<IActionResult> AcceptAsync(string assignmentId, HttpRequest request, DurableTaskClient durable, CancellationToken ct)
    {
        var token = await TokenFromAsync(request, ct);
        var (claims, problem) = await CheckAsync(assignmentId, token, CallbackAction.Accept, ct);
        if (problem is not null) return problem;
        return await RaiseOnceAsync(claims!, AcceptAction, "You have accepted this review. The link to submit your determination is on its way.",
            durable, CaseEvents.ReviewerAccepted, new ReviewerAccepted(assignmentId), ct);
    }

    public async Task<IActionResult> ShowDeterminationAsync(string assignmentId, string? token, CancellationToken ct)
    {
        var (claims, problem) = await CheckAsync(assignmentId, token, CallbackAction.SubmitDetermination, ct);
        if (problem is not null) return problem;
        var package = await PackageAsync(claims!.CaseNumber, ct);
        var form = new StringBuilder($"<form method=\"post\"><input type=\"hidden\" name=\"token\" value=\"{E(token)}\">");
        form.Append("<label for=\"summary\">Clinical case summary</label><textarea id=\"summary\" name=\"summary\" rows=\"10\" required></textarea>");
        foreach (var item in package.DisputedItems)
        {
            var id = E(item.ItemId);
            form.Append($"<fieldset><legend>{E(item.Description)}</legend>")
                .Append($"<label for=\"outcome_{id}\">Decision</label><select id=\"outcome_{id}\" name=\"outcome_{id}\" required><option value=\"\">Choose…</option><option>Upheld</option><option>Overturned</option></select>")
                .Append($"<label for=\"caGuideline_{id}\">Claims Administrator guideline</label><input id=\"caGuideline_{id}\" name=\"caGuideline_{id}\" value=\"{E(package.UtilizationReview.GuidelineCited)}\" required>")
                .Append($"<label for=\"orgGuideline_{id}\">Guideline relied on</label><input id=\"orgGuideline_{id}\" name=\"orgGuideline_{id}\" required>")
                .Append($"<label for=\"pages_{id}\">Page(s)</label><input id=\"pages_{id}\" name=\"pages_{id}\">")
                .Append($"<label for=\"rationale_{id}\">Decision rationale</label><textarea id=\"rationale_{id}\" name=\"rationale_{id}\" rows=\"8\" required></textarea>")
                .Append("</fieldset>");
        }

        form.Append("<button type=\"submit\">Submit the determination</button></form>");
        return Page($"Determination: case {claims.CaseNumber}", form.ToString());
    }

    public async Task<IActionResult> SubmitDeterminationAsync(string assignmentId, HttpRequest request, DurableTaskClient durable, CancellationToken ct)
    {
        if (!request.HasFormContentType)
        {
            return Message("Not a form", "Submit the determination from its page.", 415);
        }

        var form = await request.ReadFormAsync(ct);
        var token = (string?)form["token"];
        var (claims, problem) = await CheckAsync(assignmentId, token, CallbackAction.SubmitDetermination, ct);
        if (problem is not null) return problem;
        var package = await PackageAsync(claims!.CaseNumber, ct);
        var determination = new Determination
        {
            ClinicalCaseSummary = form["summary"].ToString(),
            Decisions = package.DisputedItems.Select(i => new ItemDecision
            {
                ItemId = i.ItemId,
                Outcome = Enum.TryParse<DecisionOutcome>(form[$"outcome_{i.ItemId}"], ignoreCase: false, out var o) ? o : (DecisionOutcome)(-1),
                ClaimsAdministratorGuideline = form[$"caGuideline_{i.ItemId}"].ToString(),
                OrganizationGuideline = form[$"orgGuideline_{i.ItemId}"].ToString(),
                Pages = form[$"pages_{i.ItemId}"].ToString(),
                Rationale = form[$"rationale_{i.ItemId}"].ToString(),
            }).ToList(),
        };
        var reasons = determination.Check(package).ToList();
        reasons.AddRange(determination.Decisions.Where(d => !Enum.IsDefined(d.Outcome)).Select(d => $"Disputed item '{d.ItemId}' needs a decision: Upheld or Overturned."));
        if (reasons.Count > 0)
        {
            return Page("The determination is incomplete", "<ul>" + string.Concat(reasons.Select(r => $"<li>{E(r)}</li>")) + "</ul><p>Go back, complete it and submit again.</p>", 400);
        }

        // Stored before the event is raised; orchestration state carries only the blob's name.
        // A determination returned for correction is resubmitted as a new revision: its own blob and its own single-use claim.
        var revision = (await cases.GetAssignmentAsync(claims.CaseNumber, assignmentId, ct))?.DeterminationRevision ?? 0;
        var suffix = revision == 0 ? "" : $"-r{revision}";
        var submissionBlob = $"{claims.CaseNumber}/{assignmentId}{suffix}.json";
        await documents.CreateOnceAsync(StorageNames.SubmissionsContainer, submissionBlob, BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(determination, CasePackage.JsonOptions)), "application/json", ct);
        return await RaiseOnceAsync(claims, SubmitAction + suffix, "Your determination has been received. The Final Determination Letter will be issued from it.",
            durable, CaseEvents.DeterminationSubmitted, new DeterminationSubmitted(assignmentId, submissionBlob, revision), ct);
    }

    private async Task<IActionResult> RaiseOnceAsync(CallbackClaims claims, string action, string doneMessage, DurableTaskClient durable, string eventName, object eventData, CancellationToken ct)
    {
        var instanceId = CaseNumber.Parse(claims.CaseNumber).OrchestrationInstanceId;
        var instance = await durable.GetInstanceAsync(instanceId, getInputsAndOutputs: false, ct);
        if (instance is null || instance.RuntimeStatus != OrchestrationRuntimeStatus.Running)
        {
            // An event sent before the instance runs can be dropped by the backend: tell the reviewer instead of losing it.
            return Message("Please try again shortly", "This case is not ready to receive your answer yet. Nothing was recorded; please submit again in a minute.", 503);
        }

        var first = await uses.TryClaimAsync(claims.AssignmentId, action, doneMessage, ct);
        if (first is not null)
        {
            return Message("Already received", first);
        }

        try
        {
            await durable.RaiseEventAsync(instanceId, eventName, eventData, ct);
        }
        catch
        {
            await uses.ReleaseAsync(claims.AssignmentId, action, ct);
            throw;
        }

        logger.LogInformation("Reviewer {Action} for assignment {AssignmentId} delivered", action, claims.AssignmentId);
        return Message("Thank you", doneMessage);
    }

    private async Task<(CallbackClaims? Claims, IActionResult? Problem)> CheckAsync(string assignmentId, string? token, CallbackAction action, CancellationToken ct)
    {
        var verification = tokens.Verify(token, action, assignmentId);
        switch (verification.Problem)
        {
            case TokenProblem.None:
                break;
            case TokenProblem.Expired:
                return (null, Message("This link has expired", "The link is no longer valid. Contact the IMR organization if you still need to act on this case.", 410));
            default:
                logger.LogWarning("Rejected reviewer link: {Problem}", verification.Problem);
                return (null, Message("This link is not valid", "The link is damaged or was not issued for this page. Nothing was changed.", 403));
        }

        var claims = verification.Claims!;
        var caseEntity = await cases.GetAsync(claims.CaseNumber, ct);
        var assignment = await cases.GetAssignmentAsync(claims.CaseNumber, assignmentId, ct);
        if (caseEntity is null || assignment is null || assignment.ReviewerId != claims.ReviewerId)
        {
            return (null, Message("This link is not valid", "The link does not match an assignment. Nothing was changed.", 403));
        }

        if (caseEntity.CurrentAssignmentId != assignmentId || assignment.Status == "Withdrawn")
        {
            return (null, Message("This assignment has ended", "The case has been reassigned or the assignment was withdrawn. Nothing was changed.", 410));
        }

        return (claims, null);
    }

    private async Task<CasePackage> PackageAsync(string caseNumber, CancellationToken ct)
    {
        var caseEntity = await cases.GetAsync(caseNumber, ct) ?? throw new InvalidOperationException("Case not recorded.");
        var manifest = await documents.ReadAsync(StorageNames.CaseFilesContainer, caseEntity.ManifestBlobName, ct);
        return CasePackage.Parse(manifest.ToMemory().Span).Package ?? throw new InvalidDataException("The stored manifest no longer parses.");
    }

    private static async Task<string?> TokenFromAsync(HttpRequest request, CancellationToken ct) =>
        request.HasFormContentType ? (string?)(await request.ReadFormAsync(ct))["token"] : request.Query["token"];
}
