using Imr.Functions.Services;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Imr.Functions.Triggers;

/// <summary>The reviewer's links. Anonymous at the HTTP level: the signed, single-use token is the credential.</summary>
public sealed class ReviewerCallbackTriggers(ReviewerCallbacks callbacks)
{
    [Function(nameof(ShowAssignmentOffer))]
    public Task<IActionResult> ShowAssignmentOffer(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = CallbackLinks.AcceptRoute)] HttpRequest request, string assignmentId, CancellationToken cancellationToken) =>
        callbacks.ShowOfferAsync(assignmentId, request.Query["token"], cancellationToken);

    [Function(nameof(AcceptAssignment))]
    public Task<IActionResult> AcceptAssignment(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = CallbackLinks.AcceptRoute)] HttpRequest request, string assignmentId, [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken) =>
        callbacks.AcceptAsync(assignmentId, request, durable, cancellationToken);

    [Function(nameof(DeclineAssignment))]
    public Task<IActionResult> DeclineAssignment(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = CallbackLinks.DeclineRoute)] HttpRequest request, string assignmentId, [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken) =>
        callbacks.DeclineAsync(assignmentId, request, durable, cancellationToken);

    [Function(nameof(ShowDeterminationForm))]
    public Task<IActionResult> ShowDeterminationForm(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = CallbackLinks.DeterminationRoute)] HttpRequest request, string assignmentId, CancellationToken cancellationToken) =>
        callbacks.ShowReviewAsync(assignmentId, request.Query["token"], cancellationToken);

    [Function(nameof(SubmitDetermination))]
    public Task<IActionResult> SubmitDetermination(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = CallbackLinks.DeterminationRoute)] HttpRequest request, string assignmentId, [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken) =>
        callbacks.SubmitDeterminationAsync(assignmentId, request, durable, cancellationToken);
}
