using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Imr.Functions.Services;
using Imr.Functions.Storage;

namespace Imr.LocalRuntime.Demo;

/// <summary>
/// `--demo-escalation`: the sample case under compressed time (a day lasts 0.2 s) — reminders to the reviewer, the
/// reviewer's due date missed, the medical director told, the assignment withdrawn (its link refused), the case offered
/// to the next reviewers, who decline, so it waits for the medical director, who assigns it through the staff console's
/// work queue (signed in with the development sign-in); that reviewer submits. Seconds instead of weeks.
/// </summary>
public static partial class EscalationDemo
{
    /// <summary>The settings the demo runs with: one day = 0.2 s; the reviewer is due 10 days before the case.</summary>
    public static Dictionary<string, string?> Settings => new()
    {
        ["Imr:TimeScale"] = "432000",
        ["Imr:AcceptanceWindow"] = "10000.00:00:00",
        ["Imr:ReviewerLead"] = "10 days",
        ["Staff:DevSignIn"] = "true", // the medical director signs in to the console (refused in App Service anyway)
    };

    public static async Task<int> RunAsync(LocalFunctionsRuntime runtime, BlobServiceClient blobs, string repoRoot)
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Add(HttpRoutes.KeyHeader, runtime.FunctionKey);
        var driver = new SampleCaseDriver(blobs, http);
        var timeout = TimeSpan.FromMinutes(2);
        // A new case number each run, so the escalation is shown again (the sample case itself may be closed already).
        var caseNumber = $"CM13-E{DateTime.UtcNow:yyyyMMddHHmmss}";
        var folder = Path.Combine(repoRoot, "samples", "sample-case", "CM13-0012345");
        var intake = blobs.GetBlobContainerClient(StorageNames.IntakeContainer);
        foreach (var file in Directory.GetFiles(folder).Where(f => Path.GetFileName(f) != "manifest.json"))
        {
            await intake.GetBlobClient($"{caseNumber}/{Path.GetFileName(file)}").UploadAsync(file, overwrite: true);
        }

        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "manifest.json")))!;
        manifest["caseNumber"] = caseNumber;
        manifest["utilizationReview"]!["referenceNumber"] = "UR-" + caseNumber; // its own UR decision: not a duplicate application of the sample case
        await intake.GetBlobClient($"{caseNumber}/manifest.json").UploadAsync(BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(manifest)), overwrite: true);
        Console.WriteLine($"\n[escalation demo] Case {caseNumber} uploaded; one day lasts 0.2 s (Imr:TimeScale=432000), the reviewer is due 10 days before the case.");

        var offer = await driver.WaitForLinkAsync(caseNumber, $"{caseNumber}-A1-offer", timeout);
        await driver.FollowAndSubmitAsync(offer, new Dictionary<string, string>());
        var determinationLink = await driver.WaitForLinkAsync(caseNumber, $"{caseNumber}-A1-determination", timeout);
        Console.WriteLine("[escalation demo] The first reviewer accepted (assignment A1) and then does nothing.");
        foreach (var reminder in new[] { "50pct", "80pct", "24h-before" })
        {
            await WaitForAsync(blobs, caseNumber, $"{caseNumber}-A1-reminder-{reminder}", timeout);
            Console.WriteLine($"[escalation demo] Reminder to the reviewer: {reminder}");
        }

        var escalation = await WaitForAsync(blobs, caseNumber, Escalations.NotificationId(EscalationLevels.ReviewerMissedDue($"{caseNumber}-A1")), timeout);
        Console.WriteLine($"[escalation demo] Reviewer due date missed; to the medical director:\n    {escalation.Replace("\n", "\n    ")}");
        var stale = await http.GetAsync(determinationLink);
        Console.WriteLine($"[escalation demo] The first reviewer's determination link now answers HTTP {(int)stale.StatusCode} (assignment withdrawn).");

        // The offer rounds continue after the one used (A1); every further reviewer declines, so the case goes to the
        // medical director.
        for (var round = 2; ; round++)
        {
            var next = await WaitForOfferOrManualAsync(runtime, blobs, http, caseNumber, $"{caseNumber}-A{round}-offer", timeout);
            if (next is null) break;
            var page = await (await http.GetAsync(next)).Content.ReadAsStringAsync();
            var declineToken = System.Net.WebUtility.HtmlDecode(DeclineToken().Match(page).Groups[1].Value);
            var declined = await http.PostAsync(new Uri(next, "decline"), new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["token"] = declineToken,
                ["reason"] = "Unavailable this month.",
            }));
            Console.WriteLine($"[escalation demo] Offered to the next eligible reviewer (A{round}), who declined (HTTP {(int)declined.StatusCode}).");
        }

        Console.WriteLine("[escalation demo] Nobody left to offer: the case waits for the medical director's manual assignment.");
        var assigned = await AssignThroughConsoleAsync(runtime.BaseAddress, caseNumber);
        Console.WriteLine($"[escalation demo] The medical director signed in to the staff console ({runtime.BaseAddress}api/staff/queue) and assigned {assigned} with one form post.");
        var secondLink = await WaitForDeterminationLinkAsync(blobs, caseNumber, $"{caseNumber}-A1-determination", timeout);
        var answers = SampleCaseDriver.LoadDetermination(Path.Combine(repoRoot, "samples", "sample-case", "determination.json"));
        await driver.FollowAndSubmitAsync(secondLink, SampleCaseDriver.DeterminationForm(answers));
        var closed = await driver.WaitForStatusAsync(runtime.BaseAddress, caseNumber, "Closed", timeout);
        // The record says Closed once the last activity ran; let the orchestration finish before the runtime stops.
        using (var wait = new CancellationTokenSource(timeout))
        {
            await runtime.DurableClient.WaitForInstanceCompletionAsync(Imr.Domain.Cases.CaseNumber.Parse(caseNumber).OrchestrationInstanceId, wait.Token);
        }
        Console.WriteLine($"[escalation demo] Determination submitted by the reviewer the medical director chose; case status: {closed}");
        Console.WriteLine($"[escalation demo] The case in the staff console: {runtime.BaseAddress}api/staff/cases/{caseNumber} (./run.sh --console to look)");
        return 0;
    }

    /// <summary>The next offer's link, or null once the case waits for a manual assignment.</summary>
    private static async Task<Uri?> WaitForOfferOrManualAsync(LocalFunctionsRuntime runtime, BlobServiceClient blobs, HttpClient http, string caseNumber, string offerId, TimeSpan timeout)
    {
        var outbox = blobs.GetBlobContainerClient(StorageNames.OutboxContainer).GetBlobClient(Outbox.BlobName(caseNumber, offerId));
        for (var until = DateTime.UtcNow + timeout; DateTime.UtcNow < until; await Task.Delay(200))
        {
            if ((await outbox.ExistsAsync()).Value)
            {
                var message = Outbox.Read((await outbox.DownloadContentAsync()).Value.Content);
                return new Uri(OfferLink().Match(message.TextBody ?? "").Value);
            }

            using var status = await http.GetAsync(new Uri(runtime.BaseAddress, $"/api/cases/{caseNumber}"));
            if (status.IsSuccessStatusCode && (await status.Content.ReadAsStringAsync()).Contains("\"AwaitingManualAssignment\"", StringComparison.Ordinal)) return null;
        }

        throw new TimeoutException($"Neither {offerId} nor a manual assignment within {timeout}.");
    }

    /// <summary>Signs in as the medical director (development sign-in), opens the work queue and assigns the first reviewer offered there.</summary>
    private static async Task<string> AssignThroughConsoleAsync(Uri baseAddress, string caseNumber)
    {
        using var handler = new HttpClientHandler { CookieContainer = new System.Net.CookieContainer(), AllowAutoRedirect = true };
        using var browser = new HttpClient(handler) { BaseAddress = baseAddress };
        var signIn = await browser.PostAsync("/api/staff/dev-signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["id"] = "md-demo", ["name"] = "Demo Medical Director", ["role"] = "MedicalDirector", ["returnUrl"] = "/api/staff/queue",
        }));
        var queue = await signIn.EnsureSuccessStatusCode().Content.ReadAsStringAsync();
        var action = $"/api/staff/queue/{caseNumber}/assign";
        var at = queue.IndexOf($"action=\"{action}\"", StringComparison.Ordinal);
        if (at < 0) throw new InvalidOperationException($"Case {caseNumber} is not in the work queue.");
        var form = queue[at..queue.IndexOf("</form>", at, StringComparison.Ordinal)];
        var fields = new Dictionary<string, string>();
        foreach (var hidden in HiddenField().Matches(form).Cast<System.Text.RegularExpressions.Match>()) fields[hidden.Groups[1].Value] = System.Net.WebUtility.HtmlDecode(hidden.Groups[2].Value);
        var reviewer = System.Net.WebUtility.HtmlDecode(ReviewerRadio().Match(form).Groups[1].Value);
        fields["reviewerId"] = reviewer;
        var assigned = await browser.PostAsync(action, new FormUrlEncodedContent(fields));
        assigned.EnsureSuccessStatusCode();
        return reviewer;
    }

    /// <summary>The determination link of the assignment made by hand: the first one that is not <paramref name="except"/>.</summary>
    private static async Task<Uri> WaitForDeterminationLinkAsync(BlobServiceClient blobs, string caseNumber, string except, TimeSpan timeout)
    {
        var outbox = blobs.GetBlobContainerClient(StorageNames.OutboxContainer);
        for (var until = DateTime.UtcNow + timeout; DateTime.UtcNow < until; await Task.Delay(200))
        {
            await foreach (var blob in outbox.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, $"{caseNumber}/", CancellationToken.None))
            {
                if (!blob.Name.EndsWith("-determination.eml", StringComparison.Ordinal) || blob.Name.EndsWith($"/{except}.eml", StringComparison.Ordinal)) continue;
                var message = Outbox.Read((await outbox.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content);
                return new Uri(DeterminationLink().Match(message.TextBody ?? "").Value);
            }
        }

        throw new TimeoutException($"No determination link for the manual assignment of {caseNumber} within {timeout}.");
    }

    [System.Text.RegularExpressions.GeneratedRegex("action=\"decline\"[^>]*>\\s*<input type=\"hidden\" name=\"token\" value=\"([^\"]*)\"")]
    private static partial System.Text.RegularExpressions.Regex DeclineToken();

    [System.Text.RegularExpressions.GeneratedRegex("https?://\\S+/accept\\?token=\\S+")]
    private static partial System.Text.RegularExpressions.Regex OfferLink();

    [System.Text.RegularExpressions.GeneratedRegex("https?://\\S+/determination\\?token=\\S+")]
    private static partial System.Text.RegularExpressions.Regex DeterminationLink();

    [System.Text.RegularExpressions.GeneratedRegex("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\">")]
    private static partial System.Text.RegularExpressions.Regex HiddenField();

    [System.Text.RegularExpressions.GeneratedRegex("<input type=\"radio\" name=\"reviewerId\"[^>]*value=\"([^\"]+)\"")]
    private static partial System.Text.RegularExpressions.Regex ReviewerRadio();

    private static async Task<string> WaitForAsync(BlobServiceClient blobs, string caseNumber, string id, TimeSpan timeout)
    {
        var blob = blobs.GetBlobContainerClient(StorageNames.OutboxContainer).GetBlobClient(Outbox.BlobName(caseNumber, id));
        for (var until = DateTime.UtcNow + timeout; DateTime.UtcNow < until; await Task.Delay(200))
        {
            if ((await blob.ExistsAsync()).Value)
            {
                var message = Outbox.Read((await blob.DownloadContentAsync()).Value.Content);
                return $"To: {message.To}\nSubject: {message.Subject}\n\n{message.TextBody}";
            }
        }

        throw new TimeoutException($"No notification {id} within {timeout}.");
    }
}
