using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Imr.Functions.Services;
using Imr.Functions.Storage;

namespace Imr.LocalRuntime.Demo;

/// <summary>
/// `--demo-escalation`: the sample case under compressed time (a day lasts 0.2 s) — reminders to the reviewer, the
/// reviewer's due date missed, the medical director told, the assignment withdrawn (its link refused) and the case
/// offered to the next reviewer, who accepts and submits. Seconds instead of weeks.
/// </summary>
public static class EscalationDemo
{
    /// <summary>The settings the demo runs with: one day = 0.2 s; the reviewer is due 10 days before the case.</summary>
    public static Dictionary<string, string?> Settings => new()
    {
        ["Imr:TimeScale"] = "432000",
        ["Imr:AcceptanceWindow"] = "10000.00:00:00",
        ["Imr:ReviewerLead"] = "10 days",
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

        var replacement = $"{caseNumber}-A2"; // the offer rounds continue after the one used (A1)
        var secondOffer = await driver.WaitForLinkAsync(caseNumber, $"{replacement}-offer", timeout);
        await driver.FollowAndSubmitAsync(secondOffer, new Dictionary<string, string>());
        Console.WriteLine("[escalation demo] Offered to the next eligible reviewer (A2), who accepted.");
        var secondLink = await driver.WaitForLinkAsync(caseNumber, $"{replacement}-determination", timeout);
        var answers = SampleCaseDriver.LoadDetermination(Path.Combine(repoRoot, "samples", "sample-case", "determination.json"));
        await driver.FollowAndSubmitAsync(secondLink, SampleCaseDriver.DeterminationForm(answers));
        var closed = await driver.WaitForStatusAsync(runtime.BaseAddress, caseNumber, "Closed", timeout);
        // The record says Closed once the last activity ran; let the orchestration finish before the runtime stops.
        using (var wait = new CancellationTokenSource(timeout))
        {
            await runtime.DurableClient.WaitForInstanceCompletionAsync(Imr.Domain.Cases.CaseNumber.Parse(caseNumber).OrchestrationInstanceId, wait.Token);
        }
        Console.WriteLine($"[escalation demo] Determination submitted by the replacement; case status: {closed}");
        Console.WriteLine($"[escalation demo] At-risk report: {runtime.BaseAddress}api/manage/at-risk/page");
        return 0;
    }

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
