using System.Text.Json;
using Imr.Domain.Cases;
using Imr.Functions.Services;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Imr.Functions.Triggers;

/// <summary>
/// Staff correct an issued letter: <c>POST /api/manage/cases/{caseNumber}/letters/corrections</c> with
/// <c>{"basedOnVersion": 1, "reason": "…", "determination": {…}}</c>. Guarded by a function key in Azure.
/// Repeating the request returns the version it issued; a request based on an older version is refused (409).
/// </summary>
public sealed class LetterCorrectionTrigger(LetterIssuer issuer)
{
    [Function(nameof(IssueLetterCorrection))]
    public async Task<IActionResult> IssueLetterCorrection(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "manage/cases/{caseNumber}/letters/corrections")] HttpRequest request, string caseNumber, CancellationToken cancellationToken)
    {
        if (!CaseNumber.TryParse(caseNumber, out var number))
        {
            return new BadRequestObjectResult(new { errors = new[] { "Not a case number." } });
        }

        LetterCorrectionRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<LetterCorrectionRequest>(request.Body, CasePackage.JsonOptions, cancellationToken);
        }
        catch (JsonException ex)
        {
            return new BadRequestObjectResult(new { errors = new[] { $"The body is not a correction request: {ex.Path}." } });
        }
        catch (Exception ex) when (ex is InvalidOperationException or BadHttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            return new BadRequestObjectResult(new { errors = new[] { "The body could not be read (invalid text, too large or cut short)." } });
        }

        if (body?.Determination is null)
        {
            return new BadRequestObjectResult(new { errors = new[] { "The body needs basedOnVersion, reason and determination." } });
        }

        var result = await issuer.IssueCorrectionAsync(number.Value, body, cancellationToken);
        var view = result.Letter is null ? null : new { version = result.Letter.Version, text = result.Letter.TextBlobName, pdf = result.Letter.PdfBlobName, pdfSha256 = result.Letter.PdfSha256, textSha256 = result.Letter.TextSha256 };
        return result.Status switch
        {
            CorrectionStatus.Issued => new ObjectResult(view) { StatusCode = StatusCodes.Status201Created },
            CorrectionStatus.AlreadyIssued => new OkObjectResult(view),
            CorrectionStatus.NotFound => new NotFoundObjectResult(new { errors = result.Reasons }),
            CorrectionStatus.Conflict => new ConflictObjectResult(new { errors = result.Reasons, latest = view }),
            _ => new BadRequestObjectResult(new { errors = result.Reasons }),
        };
    }
}
