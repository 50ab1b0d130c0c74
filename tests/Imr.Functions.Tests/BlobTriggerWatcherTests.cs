using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Imr.Functions.Storage;
using Imr.Functions.Tests.Infrastructure;
using Imr.LocalRuntime;
using Microsoft.Extensions.DependencyInjection;

namespace Imr.Functions.Tests;

/// <summary>
/// The local runtime's blob watcher on Azurite. Azurite answers 500 to a listing that holds a blob name with a character XML
/// cannot carry (U+0000–U+001F, U+FFFE); on old main that stopped all intake until the blob was removed.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class BlobTriggerWatcherTests : IAsyncLifetime
{
    private RuntimeHarness _app = null!;

    // A handled blob that stays gets its receipt after a second here (30 s by default), so a test can see it written.
    public async Task InitializeAsync() => _app = await RuntimeHarness.StartAsync(configure: s => s["LocalRuntime:BlobReceiptDelay"] = "00:00:01");

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Blobs_whose_names_cannot_be_listed_are_quarantined_under_safe_names_and_intake_goes_on()
    {
        var intake = RuntimeHarness.Blobs.GetBlobContainerClient(StorageNames.IntakeContainer);
        await intake.CreateIfNotExistsAsync();
        var controlCase = TestEnvironment.NewCaseNumber("W");
        var nonCharacterCase = TestEnvironment.NewCaseNumber("W");
        var badNames = new[] { $"{controlCase}/bad\u0001name.txt", $"{nonCharacterCase}/odd\uFFFEname.txt" };
        try
        {
            foreach (var name in badNames)
            {
                await intake.GetBlobClient(name).UploadAsync(BinaryData.FromString("content"), overwrite: true);
            }

            // A good case uploaded behind them is still started.
            var goodCase = TestEnvironment.NewCaseNumber("W");
            await TestEnvironment.UploadSampleCaseAsync(goodCase);

            await TestEnvironment.EventuallyAsync(async () => await _app.Runtime.DurableClient.GetInstanceAsync($"case-{goodCase}"), TimeSpan.FromSeconds(60), "the good case started");
            var store = _app.Runtime.Services.GetRequiredService<IntakeStore>();
            foreach (var (caseNumber, name) in new[] { controlCase, nonCharacterCase }.Zip(badNames))
            {
                var rejection = await TestEnvironment.EventuallyAsync(async () => (await store.RejectionsAsync(caseNumber)).SingleOrDefault(), TimeSpan.FromSeconds(60), "the bad blob quarantined");
                Assert.Equal("InvalidPath", rejection.Kind);
                var target = Assert.Single(JsonSerializer.Deserialize<List<string>>(rejection.QuarantinedBlobs)!);
                Assert.StartsWith($"{caseNumber}/rejected-", target); // a name the quarantine container can list
                Assert.Equal("content", (await RuntimeHarness.Blobs.GetBlobContainerClient(StorageNames.QuarantineContainer).GetBlobClient(target).DownloadContentAsync()).Value.Content.ToString());
                Assert.False((await intake.GetBlobClient(name).ExistsAsync()).Value);
            }

            Assert.Empty(await _app.BlobNamesAsync(StorageNames.IntakeContainer, goodCase + "/"));
        }
        finally
        {
            foreach (var name in badNames)
            {
                await intake.GetBlobClient(name).DeleteIfExistsAsync();
            }
        }
    }

    [Fact]
    public async Task Only_a_blob_that_stays_costs_a_receipt_and_a_restart_does_not_apply_it_again()
    {
        var roster = RuntimeHarness.Blobs.GetBlobContainerClient(StorageNames.RosterContainer);
        await roster.CreateIfNotExistsAsync();
        var import = $"imports/{Guid.NewGuid():N}.json";
        var report = roster.GetBlobClient($"reports/{import}.report.json");
        // The same reviewer as RosterAdminTests' import: the shared roster gains no one new.
        var json = """[{"reviewerId":"rev-020","name":"Dr. Blob Import","email":"rev-020@reviewers.example","specialties":["Psychiatry"],"boardCertifications":["Psychiatry"],"licensedStates":["California"],"yearsInPractice":5,"activePracticeHoursPerWeek":30,"timeZone":"America/Denver"}]""";
        var receipts = new TableClient(TestEnvironment.StorageConnectionString, BlobTriggerWatcher.ReceiptsTable);
        static string Key(string name) => Convert.ToBase64String(Encoding.UTF8.GetBytes(name)).Replace('/', '_');
        try
        {
            await roster.GetBlobClient(import).UploadAsync(BinaryData.FromString(json));
            var caseNumber = TestEnvironment.NewCaseNumber("W");
            await TestEnvironment.UploadSampleCaseAsync(caseNumber);
            var reportETag = await TestEnvironment.EventuallyAsync(async () => (await report.ExistsAsync()).Value ? (await report.GetPropertiesAsync()).Value.ETag.ToString() : null, TimeSpan.FromSeconds(60), "the import report");

            // The roster import stays in its container: its receipt is written once it has stayed (a second here).
            var row = await TestEnvironment.EventuallyAsync(async () => (await receipts.GetEntityIfExistsAsync<TableEntity>("RosterFromBlob", Key(import))) is { HasValue: true } r ? r.Value : null, TimeSpan.FromSeconds(60), "the staying blob's receipt");
            Assert.True(row!.GetBoolean("Done"));

            // The case's blobs were handled and moved away at acceptance: no receipt is kept for any of them (a document that
            // waited for its manifest past the delay may have had one, deleted once the blob is gone).
            await TestEnvironment.EventuallyAsync(async () => await _app.Runtime.DurableClient.GetInstanceAsync($"case-{caseNumber}"), TimeSpan.FromSeconds(60), "the case started");
            await TestEnvironment.EventuallyAsync(async () => (await _app.BlobNamesAsync(StorageNames.IntakeContainer, caseNumber + "/")).Count == 0 ? "" : null, TimeSpan.FromSeconds(60), "the intake folder emptied");
            await TestEnvironment.EventuallyAsync(async () =>
            {
                var intakeRows = new List<string>();
                await foreach (var r in receipts.QueryAsync<TableEntity>(e => e.PartitionKey == "IntakeFromBlob", select: ["RowKey"])) intakeRows.Add(Encoding.UTF8.GetString(Convert.FromBase64String(r.RowKey.Replace('_', '/'))));
                return intakeRows.Any(n => n.StartsWith(caseNumber + "/", StringComparison.Ordinal)) ? null : "";
            }, TimeSpan.FromSeconds(30), "no receipt kept for the case's intake blobs");

            // After a restart the receipt is read at start: the import is not applied again (its report is not rewritten).
            await _app.RestartAsync();
            await Task.Delay(TimeSpan.FromSeconds(5));
            Assert.Equal(reportETag, (await report.GetPropertiesAsync()).Value.ETag.ToString());
        }
        finally
        {
            await roster.GetBlobClient(import).DeleteIfExistsAsync();
            await report.DeleteIfExistsAsync();
        }
    }
}
