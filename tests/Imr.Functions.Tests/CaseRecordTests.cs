using System.Diagnostics.Metrics;
using System.Net;
using Imr.Domain.Cases;
using Imr.Functions.Storage;
using Imr.Functions.Tests.Infrastructure;
using Imr.LocalRuntime.Demo;

namespace Imr.Functions.Tests;

/// <summary>The case's record: the manifest is parsed once, at intake, and every later step reads the record.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class CaseRecordTests : IAsyncLifetime
{
    private RuntimeHarness _app = null!;

    public async Task InitializeAsync() => _app = await RuntimeHarness.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>Counts CasePackage.Parse calls for one case (the domain's counter is tagged with the case number).</summary>
    private sealed class ParseCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _count;

        public ParseCounter(string caseNumber)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == DomainMetrics.MeterName && instrument.Name == DomainMetrics.CasePackageParses) listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == DomainMetrics.CaseNumberTag && Equals(tag.Value, caseNumber)) Interlocked.Add(ref _count, value);
                }
            });
            _listener.Start();
        }

        public long Count => Interlocked.Read(ref _count);

        public void Dispose() => _listener.Dispose();
    }

    [Fact]
    public async Task A_case_from_upload_to_its_letter_parses_its_manifest_once()
    {
        var caseNumber = TestEnvironment.NewCaseNumber();
        using var parses = new ParseCounter(caseNumber);

        await TestEnvironment.UploadSampleCaseAsync(caseNumber);
        var offer = await _app.LinkAsync(caseNumber, $"{caseNumber}-A1-offer");
        var (offerPage, accepted) = await _app.Driver.FollowAndSubmitAsync(offer, new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.OK, offerPage.StatusCode);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        var determination = await _app.LinkAsync(caseNumber, $"{caseNumber}-A1-determination");
        var (reviewPage, submitted) = await _app.Driver.FollowAndSubmitAsync(determination, SampleCaseDriver.DeterminationForm(SampleCaseDriver.LoadDetermination(TestEnvironment.SampleDetermination)));
        Assert.Contains("medical-records.txt", await reviewPage.Content.ReadAsStringAsync()); // the review page lists the record's documents
        Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        await _app.Driver.WaitForStatusAsync(_app.Runtime.BaseAddress, caseNumber, "Closed", TimeSpan.FromSeconds(60));
        await _app.Runtime.DurableClient.WaitForInstanceCompletionAsync($"case-{caseNumber}", new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);

        Assert.Equal(1, parses.Count);
        var entity = (await _app.Cases.GetAsync(caseNumber))!;
        var manifest = (await RuntimeHarness.Blobs.GetBlobContainerClient(StorageNames.CaseFilesContainer).GetBlobClient(CaseNames.ManifestBlob(caseNumber)).DownloadContentAsync()).Value.Content;
        Assert.Equal(DocumentStore.Sha256Hex(manifest), entity.ManifestSha256); // registered from the record's hash
        Assert.Equal([$"{caseNumber}/v1.json"], await _app.BlobNamesAsync(StorageNames.CaseRecordsContainer, caseNumber + "/"));
        Assert.True(Outbox.TextBody((await RuntimeHarness.Blobs.GetBlobContainerClient(StorageNames.OutboxContainer).GetBlobClient(Outbox.BlobName(caseNumber, "notice-of-assignment-claims-administrator")).DownloadContentAsync()).Value.Content).Length > 0);
    }
}
