using System.Text.Json;
using Imr.Functions.Storage;
using Imr.Functions.Tests.Infrastructure;
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

    public async Task InitializeAsync() => _app = await RuntimeHarness.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Blobs_whose_names_cannot_be_listed_are_quarantined_under_safe_names_and_intake_goes_on()
    {
        var intake = _app.Blobs.GetBlobContainerClient(StorageNames.IntakeContainer);
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
                Assert.Equal("content", (await _app.Blobs.GetBlobContainerClient(StorageNames.QuarantineContainer).GetBlobClient(target).DownloadContentAsync()).Value.Content.ToString());
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
}
