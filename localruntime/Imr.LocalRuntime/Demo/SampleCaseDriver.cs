using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Storage.Blobs;
using Imr.Domain.Cases;
using Imr.Domain.Determinations;
using Imr.Functions.Storage;

namespace Imr.LocalRuntime.Demo;

/// <summary>
/// Plays the outside world for a case: the upstream system uploading the package with the Azure SDK, and the
/// reviewer reading the offer from the outbox and answering through the callback links over HTTP.
/// </summary>
public sealed partial class SampleCaseDriver(BlobServiceClient blobs, HttpClient http)
{
    /// <summary>Uploads a case folder: the documents first, the manifest last (it is what starts the case).</summary>
    public async Task UploadPackageAsync(string packageFolder, string caseNumber, CancellationToken ct = default)
    {
        var intake = blobs.GetBlobContainerClient("intake");
        var files = Directory.GetFiles(packageFolder).OrderBy(f => Path.GetFileName(f) == "manifest.json" ? 1 : 0).ThenBy(f => f, StringComparer.Ordinal);
        foreach (var file in files)
        {
            await intake.GetBlobClient($"{caseNumber}/{Path.GetFileName(file)}").UploadAsync(file, overwrite: true, ct);
        }
    }

    /// <summary>Waits for a notification (an .eml) in the outbox and returns the first link in its decoded text body.</summary>
    public async Task<Uri> WaitForLinkAsync(string caseNumber, string notificationId, TimeSpan timeout, CancellationToken ct = default)
    {
        var blob = blobs.GetBlobContainerClient(StorageNames.OutboxContainer).GetBlobClient(Outbox.BlobName(caseNumber, notificationId));
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            if ((await blob.ExistsAsync(ct)).Value)
            {
                // The body may be quoted-printable or base64 encoded: read it through the MIME parser, never as raw text.
                var text = Outbox.TextBody((await blob.DownloadContentAsync(ct)).Value.Content);
                return new Uri(Link().Match(text).Value);
            }

            await Task.Delay(250, ct);
        }

        throw new TimeoutException($"No '{notificationId}' notification for case {caseNumber} within {timeout}.");
    }

    /// <summary>Opens the page behind a link (GET) and submits its form (POST) with the given fields.</summary>
    public async Task<(HttpResponseMessage Page, HttpResponseMessage Result)> FollowAndSubmitAsync(Uri link, IDictionary<string, string> fields, CancellationToken ct = default)
    {
        var page = await http.GetAsync(link, ct);
        var token = Uri.UnescapeDataString(TokenInQuery().Match(link.Query).Groups[1].Value);
        var form = new Dictionary<string, string>(fields) { ["token"] = token };
        var target = new Uri(link.GetLeftPart(UriPartial.Path));
        HttpResponseMessage result = null!;
        // The case may still be starting; the route then answers 503 and records nothing, so retrying is safe.
        for (var attempt = 0; attempt < 40; attempt++)
        {
            result = await http.PostAsync(target, new FormUrlEncodedContent(form), ct);
            if (result.StatusCode != System.Net.HttpStatusCode.ServiceUnavailable) break;
            await Task.Delay(500, ct);
        }

        return (page, result);
    }

    /// <summary>The reviewer's answers as the determination form's fields.</summary>
    public static Dictionary<string, string> DeterminationForm(Determination determination)
    {
        var fields = new Dictionary<string, string> { ["summary"] = determination.ClinicalCaseSummary };
        foreach (var d in determination.Decisions)
        {
            fields[$"outcome_{d.ItemId}"] = d.Outcome.ToString();
            fields[$"caGuideline_{d.ItemId}"] = d.ClaimsAdministratorGuideline;
            fields[$"orgGuideline_{d.ItemId}"] = d.OrganizationGuideline;
            fields[$"pages_{d.ItemId}"] = d.Pages;
            fields[$"rationale_{d.ItemId}"] = d.Rationale;
        }

        return fields;
    }

    public static Determination LoadDetermination(string path) =>
        JsonSerializer.Deserialize<Determination>(File.ReadAllBytes(path), CasePackage.JsonOptions) ?? throw new InvalidDataException(path);

    /// <summary>Polls the case status route until the case reaches <paramref name="status"/>.</summary>
    public async Task<JsonElement> WaitForStatusAsync(Uri apiBase, string caseNumber, string status, TimeSpan timeout, CancellationToken ct = default)
    {
        var until = DateTime.UtcNow + timeout;
        JsonElement last = default;
        while (DateTime.UtcNow < until)
        {
            var response = await http.GetAsync(new Uri(apiBase, $"api/cases/{caseNumber}"), ct);
            if (response.IsSuccessStatusCode)
            {
                last = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement.Clone();
                if (last.GetProperty("status").GetString() == status) return last;
            }

            await Task.Delay(250, ct);
        }

        throw new TimeoutException($"Case {caseNumber} did not reach {status} within {timeout}; last status: {last}");
    }

    [GeneratedRegex(@"https?://\S+")]
    private static partial Regex Link();

    [GeneratedRegex(@"[?&]token=([^&]+)")]
    private static partial Regex TokenInQuery();
}
