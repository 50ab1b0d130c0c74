using System.Text.Json;
using Azure.Storage.Blobs;
using Imr.Functions.Services;
using Imr.Functions.Storage;
using Imr.Functions.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Imr.Functions.Triggers;

/// <summary>
/// Staff routes (function key) and the roster container. Never handed to reviewers. HTTP is handled here (body limits,
/// form or JSON); the service gets plain values.
/// </summary>
public sealed class RosterAdminTriggers(RosterAdmin admin)
{
    [Function(nameof(ImportRoster))]
    public async Task<IActionResult> ImportRoster(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = RosterAdmin.ImportRoute)] HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        try
        {
            // Read at most one byte past the limit: a larger body is refused without being buffered whole.
            var chunk = new byte[81920];
            int read;
            while (buffer.Length <= RosterAdmin.MaxRosterBytes && (read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0) buffer.Write(chunk, 0, read);
        }
        catch (Exception ex) when (ex is BadHttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            return new BadRequestObjectResult(new { error = "The request body could not be read (too large or cut short)." });
        }

        if (buffer.Length == 0 || buffer.Length > RosterAdmin.MaxRosterBytes)
        {
            return new BadRequestObjectResult(new { error = $"Send the roster file (CSV or JSON, at most {RosterAdmin.MaxRosterBytes / 1024 / 1024} MB) as the request body." });
        }

        var isJson = request.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true || request.Query["format"] == "json";
        return await admin.ImportUploadAsync(buffer.ToArray(), isJson, dryRun: request.Query["dryRun"] == "true", cancellationToken);
    }

    [Function(nameof(RosterFromBlob))]
    public Task RosterFromBlob(
        [BlobTrigger(StorageNames.RosterContainer + "/{name}", Connection = StorageNames.Connection, Source = BlobTriggerSources.Intake)] BlobClient blob, CancellationToken cancellationToken) =>
        admin.ImportFromBlobAsync(blob, cancellationToken);

    /// <summary>The medical director's choice: a form (reviewerId, assignedBy) or JSON {"reviewerId": …, "assignedBy": …}.</summary>
    [Function(nameof(AssignReviewerByHand))]
    public async Task<IActionResult> AssignReviewerByHand(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = RosterAdmin.AssignRoute)] HttpRequest request, string caseNumber, [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken)
    {
        string? reviewerId = null, assignedBy = null;
        if (request.HasFormContentType)
        {
            var posted = await PostedForm.ReadAsync(request, cancellationToken);
            if (posted.Form is not { } form) return new ObjectResult(new { error = posted.Problem }) { StatusCode = posted.Status };
            reviewerId = form["reviewerId"];
            assignedBy = form["assignedBy"];
        }
        else if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            try
            {
                var body = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body, cancellationToken: cancellationToken);
                reviewerId = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("reviewerId", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
                assignedBy = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("assignedBy", out var b) && b.ValueKind == JsonValueKind.String ? b.GetString() : null;
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or BadHttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
            {
                return new BadRequestObjectResult(new { error = "The body is not JSON {\"reviewerId\": \"…\", \"assignedBy\": \"…\"} (or a form with those fields)." });
            }
        }

        return await admin.AssignAsync(caseNumber, reviewerId, assignedBy, durable, cancellationToken);
    }
}
