using Imr.Functions.Storage;
using Imr.Functions.Tests.Infrastructure;
using Imr.LocalRuntime.Demo;

namespace Imr.Functions.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class DurabilityTests
{
    [Fact]
    public async Task A_case_waiting_for_its_reviewer_survives_a_restart_of_the_runtime_and_issues_exactly_one_letter()
    {
        await using var app = await RuntimeHarness.StartAsync();
        var caseNumber = TestEnvironment.NewCaseNumber("D");
        await TestEnvironment.UploadSampleCaseAsync(caseNumber);
        var offer = await app.LinkAsync(caseNumber, $"{caseNumber}-A1-offer");

        await app.RestartAsync(); // the case's state is only in Azurite now

        var (_, accepted) = await app.Driver.FollowAndSubmitAsync(offer, new Dictionary<string, string>());
        Assert.Equal(System.Net.HttpStatusCode.OK, accepted.StatusCode);
        var determination = await app.LinkAsync(caseNumber, $"{caseNumber}-A1-determination");
        await app.Driver.FollowAndSubmitAsync(determination, SampleCaseDriver.DeterminationForm(SampleCaseDriver.LoadDetermination(TestEnvironment.SampleDetermination)));
        await app.Driver.WaitForStatusAsync(app.Runtime.BaseAddress, caseNumber, "Closed", TimeSpan.FromSeconds(90));

        Assert.Equal( // one letter (version 1), in its renderings
            new[] { ".html", ".json", ".pdf", ".txt" }.Select(ext => $"{caseNumber}/final-determination-v1{ext}"),
            await app.BlobNamesAsync(StorageNames.DeterminationsContainer, caseNumber + "/"));
        Assert.Equal("Closed", (await app.Cases.GetAsync(caseNumber))!.Status);
    }
}
