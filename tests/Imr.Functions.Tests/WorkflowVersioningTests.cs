using Azure.Data.Tables;
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
    [Theory]
    [InlineData(CaseWorkflowVersions.First)] // without the version-recording step
    [InlineData(CaseWorkflowVersions.ReviewChanges)] // with it and with the closing step, which 3.1 folds into others
    [InlineData(CaseWorkflowVersions.CoarserSteps)] // with the opening, records, registering, first-offer and scheduling steps, which 3.2 folds into others
    public async Task A_case_started_on_an_older_version_finishes_on_it_after_the_current_version_is_deployed_and_new_cases_start_on_the_current_one(string older)
    {
        // "Deployment 1": the worker and client of the older version.
        await using var app = await RuntimeHarness.StartAsync(configure: s => s["LocalRuntime:WorkflowVersion"] = older);
        var oldCase = TestEnvironment.NewCaseNumber("V");
        await TestEnvironment.UploadSampleCaseAsync(oldCase);
        var oldOffer = await app.LinkAsync(oldCase, $"{oldCase}-A1-offer"); // in flight: waiting for the reviewer

        // "Deployment 2": the same task hub, now with the current version (a different sequence of durable steps).
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
            // Replaying the older history through the current branch would fail the instance (non-deterministic).
            Assert.Equal(OrchestrationRuntimeStatus.Completed, instance.RuntimeStatus);
        }

        // Version 1 records no version; later ones do, each its own.
        Assert.Equal(older == CaseWorkflowVersions.First ? null : older, (await app.Cases.GetAsync(oldCase))!.WorkflowVersion);
        Assert.Equal(CaseWorkflowVersions.Current, (await app.Cases.GetAsync(newCase))!.WorkflowVersion);

        // The current version has no steps of their own for recording the version, closing, opening, requesting the
        // records, registering, the first offer and scheduling the reviewer's reminders; the older case ran those of its version.
        var taskHub = app.Settings["LocalRuntime:TaskHub"]!;
        var newCaseActivities = await ActivitiesRunAsync(taskHub, newCase);
        string[] folded = [nameof(WorkflowVersionActivities.RecordWorkflowVersion), nameof(AssignmentActivities.CloseCase), nameof(CaseActivities.OpenCase),
            nameof(IntakeActivities.RequestRecords), nameof(CaseActivities.RegisterCase), nameof(DeadlineActivities.ScheduleReview), nameof(AssignmentActivities.OfferAssignment)];
        Assert.Empty(newCaseActivities.Intersect(folded));
        Assert.Contains(nameof(IntakeActivities.ScreenEligibility), newCaseActivities);
        var oldCaseActivities = await ActivitiesRunAsync(taskHub, oldCase);
        string[] expectedOfOlder = older switch
        {
            CaseWorkflowVersions.First => folded[1..], // no version recorded
            CaseWorkflowVersions.CoarserSteps => folded[2..], // version recorded and case closed by other steps
            _ => folded,
        };
        Assert.Equal(expectedOfOlder, folded.Where(oldCaseActivities.Contains).ToArray());
        var closed = (await app.Cases.GetAsync(newCase))!;
        Assert.Equal(nameof(AssignmentStatus.Completed), closed.AssignmentStatus); // closed by the issuance: the assignment completed too
        Assert.NotNull(closed.ClosedAt);
    }

    /// <summary>The activities a case's orchestration scheduled, from the Azure Storage provider's history table.</summary>
    private static async Task<List<string>> ActivitiesRunAsync(string taskHub, string caseNumber)
    {
        var history = new TableClient(TestEnvironment.StorageConnectionString, taskHub + "History");
        var names = new List<string>();
        await foreach (var e in history.QueryAsync<TableEntity>(e => e.PartitionKey == CaseNumber.Parse(caseNumber).OrchestrationInstanceId))
        {
            if (e.GetString("EventType") == "TaskScheduled") names.Add(e.GetString("Name"));
        }

        return names;
    }
}
