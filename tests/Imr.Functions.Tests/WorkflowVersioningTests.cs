using Imr.Domain.Cases;
using Imr.Functions.Tests.Infrastructure;
using Imr.Functions.Workflow;
using Imr.LocalRuntime.Demo;
using Microsoft.DurableTask.Client;

namespace Imr.Functions.Tests;

/// <summary>A workflow change shipped while cases are in flight: each case finishes on the version it started with.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class WorkflowVersioningTests
{
    [Fact]
    public async Task A_case_started_on_version_1_finishes_on_version_1_after_version_2_is_deployed_and_new_cases_start_on_version_2()
    {
        // "Deployment 1": the worker and client of version 1 (the flow without the version-recording step).
        await using var app = await RuntimeHarness.StartAsync(configure: s => s["LocalRuntime:WorkflowVersion"] = CaseWorkflowVersions.First);
        var oldCase = TestEnvironment.NewCaseNumber("V");
        await TestEnvironment.UploadSampleCaseAsync(oldCase);
        var oldOffer = await app.LinkAsync(oldCase, $"{oldCase}-A1-offer"); // in flight: waiting for the reviewer

        // "Deployment 2": the same task hub, now with version 2 (an extra durable step in the flow).
        app.Settings["LocalRuntime:WorkflowVersion"] = CaseWorkflowVersions.Current;
        await app.RestartAsync();
        var newCase = TestEnvironment.NewCaseNumber("V");
        await TestEnvironment.UploadSampleCaseAsync(newCase);
        var newOffer = await app.LinkAsync(newCase, $"{newCase}-A1-offer");

        foreach (var (caseNumber, offer) in new[] { (oldCase, oldOffer), (newCase, newOffer) })
        {
            var (_, accepted) = await app.Driver.FollowAndSubmitAsync(offer, new Dictionary<string, string>());
            Assert.Equal(System.Net.HttpStatusCode.OK, accepted.StatusCode);
            var determination = await app.LinkAsync(caseNumber, $"{caseNumber}-A1-determination");
            await app.Driver.FollowAndSubmitAsync(determination, SampleCaseDriver.DeterminationForm(SampleCaseDriver.LoadDetermination(TestEnvironment.SampleDetermination)));
        }

        foreach (var caseNumber in new[] { oldCase, newCase })
        {
            await app.Driver.WaitForStatusAsync(app.Runtime.BaseAddress, caseNumber, "Closed", TimeSpan.FromSeconds(90));
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var instance = await app.Runtime.DurableClient.WaitForInstanceCompletionAsync(CaseNumber.Parse(caseNumber).OrchestrationInstanceId, wait.Token);
            // Replaying the version-1 history through the version-2 branch would fail the instance (non-deterministic).
            Assert.Equal(OrchestrationRuntimeStatus.Completed, instance.RuntimeStatus);
        }

        Assert.Null((await app.Cases.GetAsync(oldCase))!.WorkflowVersion); // ran the version-1 flow to its end
        Assert.Equal(CaseWorkflowVersions.Current, (await app.Cases.GetAsync(newCase))!.WorkflowVersion);
    }
}
