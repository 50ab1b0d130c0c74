using Imr.Domain.Cases;
using Imr.Functions.Services;
using Imr.Functions.Storage;
using Imr.Functions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Imr.Functions.Tests;

/// <summary>The mail room on Azurite: a mailing filed after its day's print batch was built goes into the next day's batch.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class MailRoomBatchTests : IAsyncLifetime
{
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        var settings = TestEnvironment.AppSettings(RuntimeHarness.NewTaskHub(), 7071);
        _services = new ServiceCollection().AddLogging().AddImrApplication(TestEnvironment.Configuration(settings)).BuildServiceProvider();
        await _services.GetRequiredService<StorageClients>().EnsureCreatedAsync();
    }

    public async Task DisposeAsync() => await _services.DisposeAsync();

    [Fact]
    public async Task A_mailing_filed_after_its_days_batch_goes_into_the_next_days_batch_once()
    {
        var postal = _services.GetRequiredService<PostalMail>();
        var store = _services.GetRequiredService<MailRoomStore>();
        // A day of its own, far from the mailings of other tests.
        var day = new DateOnly(1950, 1, 1).AddDays(Random.Shared.Next(0, 15000));
        var at = new DateTimeOffset(day.ToDateTime(new TimeOnly(12, 0)), TimeSpan.FromHours(-8));
        var caseNumber = TestEnvironment.NewCaseNumber("M");
        var address = new PostalAddress { Line1 = "100 Main Street", City = "Fresno", State = "CA", PostalCode = "93721" };
        await postal.FileAsync(caseNumber, "on-time", "Injured worker", "Sample Worker", address, at, "Notice of Assignment", null, "NOTICE OF ASSIGNMENT");
        var first = await postal.BuildBatchAsync(day);
        Assert.Equal(1, first.Mailings);

        // A step retried past the batch files its mailing of that day: it lands in the next day's batch, and a second
        // retry (even once that batch is built too) finds it there and files nothing again.
        await postal.FileAsync(caseNumber, "late", "Employer", "Sample Manufacturing Co.", address, at, "Notice of Assignment", null, "NOTICE OF ASSIGNMENT");
        await postal.FileAsync(caseNumber, "on-time", "Injured worker", "Sample Worker", address, at, "Notice of Assignment", null, "NOTICE OF ASSIGNMENT");
        Assert.DoesNotContain(MailRoomStore.MailingBlobName(day, caseNumber, "late"), await store.MailingsOfAsync(day));
        Assert.Equal([MailRoomStore.MailingBlobName(day.AddDays(1), caseNumber, "late")], await store.MailingsOfAsync(day.AddDays(1)));
        var next = await postal.BuildBatchAsync(day.AddDays(1));
        await postal.FileAsync(caseNumber, "late", "Employer", "Sample Manufacturing Co.", address, at, "Notice of Assignment", null, "NOTICE OF ASSIGNMENT");

        Assert.Equal((1, false), (next.Mailings, next.AlreadyBuilt));
        Assert.Empty(await store.MailingsOfAsync(day.AddDays(2)));
        Assert.Single(await store.MailingsOfAsync(day)); // the on-time mailing was not filed twice either
        using var batch = UglyToad.PdfPig.PdfDocument.Open((await store.ReadAsync(next.BlobName!)).ToArray());
        Assert.Contains($"Mailing {caseNumber} Employer", string.Join(" ", batch.GetPage(1).GetWords().Select(w => w.Text)));
    }
}
