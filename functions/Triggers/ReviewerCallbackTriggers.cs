using Imr.Functions.Services;
using Imr.Functions.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Imr.Functions.Triggers;

/// <summary>
/// The reviewer's links. Anonymous at the HTTP level: the signed, single-use token is the credential. HTTP is handled
/// here (query, form reading and its limits); the service gets plain values.
/// </summary>
public sealed class ReviewerCallbackTriggers(ReviewerCallbacks callbacks)
{
    [Function(nameof(ShowAssignmentOffer))]
    public Task<IActionResult> ShowAssignmentOffer(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = CallbackLinks.AcceptRoute)] HttpRequest request, string assignmentId, CancellationToken cancellationToken) =>
        callbacks.ShowOfferAsync(assignmentId, request.Query["token"], cancellationToken);

    [Function(nameof(AcceptAssignment))]
    public async Task<IActionResult> AcceptAssignment(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = CallbackLinks.AcceptRoute)] HttpRequest request, string assignmentId, [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var posted = await PostedForm.ReadAsync(request, cancellationToken);
        return posted.Form is { } form ? await callbacks.AcceptAsync(assignmentId, form["token"], durable, cancellationToken) : ReviewerPages.Unreadable(posted);
    }

    [Function(nameof(DeclineAssignment))]
    public async Task<IActionResult> DeclineAssignment(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = CallbackLinks.DeclineRoute)] HttpRequest request, string assignmentId, [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var posted = await PostedForm.ReadAsync(request, cancellationToken);
        return posted.Form is { } form ? await callbacks.DeclineAsync(assignmentId, form, durable, cancellationToken) : ReviewerPages.Unreadable(posted);
    }

    [Function(nameof(ShowDeterminationForm))]
    public Task<IActionResult> ShowDeterminationForm(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = CallbackLinks.DeterminationRoute)] HttpRequest request, string assignmentId, CancellationToken cancellationToken) =>
        callbacks.ShowReviewAsync(assignmentId, request.Query["token"], cancellationToken);

    [Function(nameof(SubmitDetermination))]
    public async Task<IActionResult> SubmitDetermination(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = CallbackLinks.DeterminationRoute)] HttpRequest request, string assignmentId, [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken)
    {
        if (!request.HasFormContentType) return ReviewerPages.NotAForm();
        var posted = await PostedForm.ReadAsync(request, cancellationToken);
        return posted.Form is { } form ? await callbacks.SubmitDeterminationAsync(assignmentId, form, durable, cancellationToken) : ReviewerPages.Unreadable(posted);
    }
}
