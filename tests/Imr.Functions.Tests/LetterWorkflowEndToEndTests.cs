using System.Net;
using System.Text;
using System.Text.Json;
using Imr.Domain.Cases;
using Imr.Functions.Storage;
using Imr.Functions.Tests.Infrastructure;
using Imr.LocalRuntime.Demo;

namespace Imr.Functions.Tests;

/// <summary>Return for correction and a later correction, through the reviewer's links and the admin route over HTTP, on the durable Azurite backend.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class LetterWorkflowEndToEndTests : IAsyncLifetime
{
    private RuntimeHarness _app = null!;

    public async Task InitializeAsync() => _app = await RuntimeHarness.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_determination_returned_for_correction_is_resubmitted_through_a_new_link_and_the_letter_can_be_corrected_later()
    {
        var caseNumber = TestEnvironment.NewCaseNumber();
        await TestEnvironment.UploadSampleCaseAsync(caseNumber);
        var offer = await _app.LinkAsync(caseNumber, $"{caseNumber}-A1-offer");
        await _app.Driver.FollowAndSubmitAsync(offer, new Dictionary<string, string>());
        var sample = SampleCaseDriver.LoadDetermination(TestEnvironment.SampleDetermination);
        var naming = sample with { Decisions = [sample.Decisions[0] with { Rationale = "Reviewed by Dr. Taylor Spine. " + sample.Decisions[0].Rationale }] };

        var first = await _app.LinkAsync(caseNumber, $"{caseNumber}-A1-determination");
        var (_, firstSubmit) = await _app.Driver.FollowAndSubmitAsync(first, SampleCaseDriver.DeterminationForm(naming));
        var again = await _app.LinkAsync(caseNumber, $"{caseNumber}-A1-determination-r1");
        var (page, resubmit) = await _app.Driver.FollowAndSubmitAsync(again, SampleCaseDriver.DeterminationForm(sample));
        var status = await _app.Driver.WaitForStatusAsync(_app.Runtime.BaseAddress, caseNumber, "Closed", TimeSpan.FromSeconds(60));

        Assert.Equal(HttpStatusCode.OK, firstSubmit.StatusCode);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(HttpStatusCode.OK, resubmit.StatusCode);
        Assert.DoesNotContain("Already received", await resubmit.Content.ReadAsStringAsync()); // a fresh single-use action
        var letter = (await RuntimeHarness.Blobs.GetBlobContainerClient(StorageNames.DeterminationsContainer).GetBlobClient(status.GetProperty("letter").GetProperty("blobName").GetString()).DownloadContentAsync()).Value.Content.ToString();
        Assert.DoesNotContain("Taylor Spine", letter);
        Assert.Contains(sample.Decisions[0].Rationale, letter.Replace("\n", " "));

        // Staff correct the issued letter through the admin route; the repeat returns the same version.
        var body = JsonSerializer.Serialize(new { basedOnVersion = 1, reason = "The page numbers of the guideline were corrected.", determination = sample with { Decisions = [sample.Decisions[0] with { Pages = "98-100" }] } }, CasePackage.JsonOptions);
        var corrected = await _app.Http.PostAsync($"/api/manage/cases/{caseNumber}/letters/corrections", new StringContent(body, Encoding.UTF8, "application/json"));
        var repeated = await _app.Http.PostAsync($"/api/manage/cases/{caseNumber}/letters/corrections", new StringContent(body, Encoding.UTF8, "application/json"));
        var broken = await _app.Http.PostAsync($"/api/manage/cases/{caseNumber}/letters/corrections", new StringContent("{\"basedOnVersion\": \"one\"", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Created, corrected.StatusCode);
        Assert.Equal(HttpStatusCode.OK, repeated.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        var versions = await Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<LetterRegister>(_app.Runtime.Services).ListAsync(caseNumber);
        Assert.Equal([1, 2], versions.Select(v => v.Version));
        Assert.Equal(2, (await _app.Cases.GetAsync(caseNumber))!.LetterVersion);
    }
}
