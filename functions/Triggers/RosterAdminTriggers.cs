using Azure.Storage.Blobs;
using Imr.Functions.Services;
using Imr.Functions.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Imr.Functions.Triggers;

/// <summary>Staff routes (function key) and the roster container. Never handed to reviewers.</summary>
public sealed class RosterAdminTriggers(RosterAdmin admin)
{
    [Function(nameof(ImportRoster))]
    public Task<IActionResult> ImportRoster(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = RosterAdmin.ImportRoute)] HttpRequest request, CancellationToken cancellationToken) =>
        admin.ImportFromRequestAsync(request, cancellationToken);

    [Function(nameof(RosterFromBlob))]
    public Task RosterFromBlob(
        [BlobTrigger(StorageNames.RosterContainer + "/{name}", Connection = StorageNames.Connection, Source = BlobTriggerSources.Intake)] BlobClient blob, CancellationToken cancellationToken) =>
        admin.ImportFromBlobAsync(blob, cancellationToken);

    [Function(nameof(AssignReviewerByHand))]
    public Task<IActionResult> AssignReviewerByHand(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = RosterAdmin.AssignRoute)] HttpRequest request, string caseNumber, [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken) =>
        admin.AssignAsync(caseNumber, request, durable, cancellationToken);
}
