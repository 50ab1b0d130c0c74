using Imr.Domain.Cases;
using Imr.Functions.Services;
using Imr.Functions.Storage;
using Imr.Functions.Tests.Infrastructure;
using Imr.Functions.Workflow;
using Imr.LocalRuntime.Demo;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Imr.Functions.Tests;

/// <summary>
/// The review deadlines of the case orchestrator with compressed durations (Imr:TimeScale), on the in-memory Durable
/// Task sidecar with the real activities on Azurite: reminders, reassignment on a missed reviewer due date, and timers
/// split by the worker's MaximumTimerInterval as on the Azure Storage backend.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class DeadlineOrchestrationTests
{
    private static Task<DurableTaskTestHost> StartHostAsync(Action<Dictionary<string, string?>> configure, TimeSpan? maximumTimerInterval = null) =>
        WorkflowTestHost.StartAsync(configure, maximumTimerInterval);

    private static Task<string> StartCaseAsync(DurableTaskTestHost host, string caseNumber, string? version = null) =>
        WorkflowTestHost.StartCaseAsync(host, caseNumber, version);

    private static async Task<bool> NotificationExistsAsync(string caseNumber, string id) =>
        (await TestEnvironment.Blobs.GetBlobContainerClient(StorageNames.OutboxContainer).GetBlobClient(Outbox.BlobName(caseNumber, id)).ExistsAsync()).Value;

    private static async Task<string> WaitForNotificationAsync(string caseNumber, string id)
    {
        await TestEnvironment.EventuallyAsync(async () => await NotificationExistsAsync(caseNumber, id) ? "yes" : null, TimeSpan.FromSeconds(45), id);
        var message = Outbox.Read((await TestEnvironment.Blobs.GetBlobContainerClient(StorageNames.OutboxContainer).GetBlobClient(Outbox.BlobName(caseNumber, id)).DownloadContentAsync()).Value.Content);
        return $"To: {message.To}\n{message.TextBody}";
    }

    private static async Task<string> StoreSubmissionAsync(string caseNumber, string assignmentId)
    {
        var blob = $"{caseNumber}/{assignmentId}.json";
        var determination = SampleCaseDriver.LoadDetermination(TestEnvironment.SampleDetermination);
        await TestEnvironment.Blobs.GetBlobContainerClient(StorageNames.SubmissionsContainer).GetBlobClient(blob).UploadAsync(BinaryData.FromObjectAsJson(determination, CasePackage.JsonOptions), overwrite: true);
        return blob;
    }

    private static async Task AcceptAsync(DurableTaskTestHost host, string id, string caseNumber, string assignmentId)
    {
        await WaitForNotificationAsync(caseNumber, $"{assignmentId}-offer");
        await host.Client.RaiseEventAsync(id, CaseEvents.ReviewerAccepted, new ReviewerAccepted(assignmentId));
        await WaitForNotificationAsync(caseNumber, $"{assignmentId}-determination");
    }

    private static async Task<OrchestrationMetadata> SubmitAndCompleteAsync(DurableTaskTestHost host, string id, string caseNumber, string assignmentId)
    {
        await host.Client.RaiseEventAsync(id, CaseEvents.DeterminationSubmitted, new DeterminationSubmitted(assignmentId, await StoreSubmissionAsync(caseNumber, assignmentId)));
        return await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
    }

    [Theory]
    [InlineData(null)] // the ScheduleReview activity computes the reminders
    [InlineData(CaseWorkflowVersions.Current)] // from 3.2 the orchestration computes them from the registration
    public async Task Reminders_go_to_the_reviewer_at_50_and_80_percent_and_24_hours_before_the_reviewer_due_date(string? version)
    {
        // A day lasts 0.2 s; with no reviewer lead the reviewer is due with the case, ~6 s after receipt, so the
        // determination can come at any time after the reminders without a reassignment (it may be late: still valid).
        await using var host = await StartHostAsync(s =>
        {
            s["Imr:TimeScale"] = "432000";
            s["Imr:AcceptanceWindow"] = "10000.00:00:00";
            s["Imr:ReviewerLead"] = "0 days";
        });
        var caseNumber = TestEnvironment.NewCaseNumber("D");
        var id = await StartCaseAsync(host, caseNumber, version);
        await AcceptAsync(host, id, caseNumber, $"{caseNumber}-A1");

        var fifty = await WaitForNotificationAsync(caseNumber, $"{caseNumber}-A1-reminder-50pct");
        await WaitForNotificationAsync(caseNumber, $"{caseNumber}-A1-reminder-80pct");
        await WaitForNotificationAsync(caseNumber, $"{caseNumber}-A1-reminder-24h-before");
        var done = await SubmitAndCompleteAsync(host, id, caseNumber, $"{caseNumber}-A1");

        Assert.StartsWith("To: rev-002@reviewers.example", fifty);
        Assert.Contains("determination for this case is due", fifty);
        Assert.Equal("Closed", done.ReadOutputAs<CaseOutcome>()!.Status);
    }

    [Fact]
    public async Task A_determination_after_the_first_reminder_cancels_the_remaining_reminders_and_escalations()
    {
        // A day lasts 0.5 s: the reviewer's 50% point is ~7 s after acceptance, 80% ~11 s, due ~14 s.
        await using var host = await StartHostAsync(s =>
        {
            s["Imr:TimeScale"] = "172800";
            s["Imr:AcceptanceWindow"] = "10000.00:00:00";
        });
        var caseNumber = TestEnvironment.NewCaseNumber("D");
        var id = await StartCaseAsync(host, caseNumber);
        await AcceptAsync(host, id, caseNumber, $"{caseNumber}-A1");

        await WaitForNotificationAsync(caseNumber, $"{caseNumber}-A1-reminder-50pct");
        var done = await SubmitAndCompleteAsync(host, id, caseNumber, $"{caseNumber}-A1");
        var caseEntity = (await host.Services.GetRequiredService<CaseStore>().GetAsync(caseNumber))!;
        // Wait past the case's due date: had any timer survived, its notification would now exist.
        var pastDue = caseEntity.CaseDueAt - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(2);
        if (pastDue > TimeSpan.Zero) await Task.Delay(pastDue);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal("Closed", caseEntity.Status);
        Assert.False(await NotificationExistsAsync(caseNumber, $"{caseNumber}-A1-reminder-80pct"));
        Assert.False(await NotificationExistsAsync(caseNumber, $"{caseNumber}-A1-reminder-24h-before"));
        Assert.False(await NotificationExistsAsync(caseNumber, Escalations.NotificationId(EscalationLevels.ReviewerMissedDue($"{caseNumber}-A1"))));
        Assert.False(await NotificationExistsAsync(caseNumber, Escalations.NotificationId(EscalationLevels.Overdue)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(CaseWorkflowVersions.Current)] // the replacement's reminders computed by the orchestration, its offer by the loop
    public async Task A_missed_reviewer_due_date_withdraws_the_assignment_escalates_and_offers_the_case_to_the_next_reviewer(string? version)
    {
        // The reviewer is due 10 days before the case: at ~4 s; the case at ~6 s.
        await using var host = await StartHostAsync(s =>
        {
            s["Imr:TimeScale"] = "432000";
            s["Imr:AcceptanceWindow"] = "10000.00:00:00";
            s["Imr:ReviewerLead"] = "10 days";
        });
        var caseNumber = TestEnvironment.NewCaseNumber("D");
        var id = await StartCaseAsync(host, caseNumber, version);
        var cases = host.Services.GetRequiredService<CaseStore>();
        await AcceptAsync(host, id, caseNumber, $"{caseNumber}-A1");
        var before = (await cases.GetAsync(caseNumber))!;

        var escalation = await WaitForNotificationAsync(caseNumber, Escalations.NotificationId(EscalationLevels.ReviewerMissedDue($"{caseNumber}-A1")));
        // The replacement continues the offer loop's rounds after the one used (A1): A2, to the next eligible reviewer.
        var replacement = $"{caseNumber}-A2";
        await AcceptAsync(host, id, caseNumber, replacement);
        // The late reviewer's determination no longer counts; the replacement's closes the case.
        await host.Client.RaiseEventAsync(id, CaseEvents.DeterminationSubmitted, new DeterminationSubmitted($"{caseNumber}-A1", await StoreSubmissionAsync(caseNumber, $"{caseNumber}-A1")));
        var done = await SubmitAndCompleteAsync(host, id, caseNumber, replacement);

        Assert.StartsWith("To: medical-director@imr.example", escalation);
        var first = (await cases.GetAssignmentAsync(caseNumber, $"{caseNumber}-A1"))!;
        var second = (await cases.GetAssignmentAsync(caseNumber, replacement))!;
        Assert.Equal(("rev-002", "Withdrawn"), (first.ReviewerId, first.Status));
        Assert.Contains("reviewer due date passed", first.EndedReason);
        Assert.Equal(("rev-003", "Completed"), (second.ReviewerId, second.Status));
        var after = (await cases.GetAsync(caseNumber))!;
        Assert.Equal(before.CaseDueAt, after.CaseDueAt); // the case's own due date does not move
        Assert.Equal(after.CaseDueAt, after.ReviewerDueAt); // the replacement has until the case's due date
        Assert.Equal(("Closed", replacement), (after.Status, after.CurrentAssignmentId));
        Assert.Equal("Closed", done.ReadOutputAs<CaseOutcome>()!.Status);
        // The withdrawal released the late reviewer's load as an ended offer does; completion released the replacement's.
        var loads = await host.Services.GetRequiredService<ReviewerLoads>().AllAsync();
        Assert.Equal((0, 0), (loads["rev-002"].OpenAssignments, loads["rev-003"].OpenAssignments));
    }

    [Fact]
    public async Task Timers_longer_than_the_maximum_timer_interval_are_split_on_the_azure_storage_backend_and_still_fire()
    {
        // The Azure Storage provider cannot hold a timer beyond 6 days, so the SDK splits long timers into
        // MaximumTimerInterval pieces (default 3 days). Here, on the Azure Storage provider over Azurite, the interval is
        // 1 s and the reminder and due-date timers are several seconds long.
        await using var harness = await RuntimeHarness.StartAsync(configure: s =>
        {
            s["Imr:TimeScale"] = "432000";
            s["Imr:AcceptanceWindow"] = "10000.00:00:00";
            s["Imr:ReviewerLead"] = "0 days";
            s["LocalRuntime:MaximumTimerInterval"] = "00:00:01";
        });
        var client = harness.Runtime.DurableClient;
        var caseNumber = TestEnvironment.NewCaseNumber("D");
        // As intake leaves an accepted package: manifest and documents in the case files.
        var manifestBlob = await TestEnvironment.StoreAcceptedSampleCaseAsync(caseNumber);
        var id = await client.ScheduleNewOrchestrationInstanceAsync(nameof(CaseOrchestrator), new CaseWorkflowInput(caseNumber, manifestBlob), new StartOrchestrationOptions($"case-{caseNumber}"));
        await WaitForNotificationAsync(caseNumber, $"{caseNumber}-A1-offer");
        await client.RaiseEventAsync(id, CaseEvents.ReviewerAccepted, new ReviewerAccepted($"{caseNumber}-A1"));

        await WaitForNotificationAsync(caseNumber, $"{caseNumber}-A1-reminder-80pct");
        await WaitForNotificationAsync(caseNumber, Escalations.NotificationId(EscalationLevels.Overdue));
        await client.RaiseEventAsync(id, CaseEvents.DeterminationSubmitted, new DeterminationSubmitted($"{caseNumber}-A1", await StoreSubmissionAsync(caseNumber, $"{caseNumber}-A1")));
        var done = await client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, new CancellationTokenSource(TimeSpan.FromSeconds(90)).Token);

        Assert.Equal("Closed", done.ReadOutputAs<CaseOutcome>()!.Status);
        // The provider's history table: each piece of a split timer is its own TimerCreated event.
        var history = new Azure.Data.Tables.TableClient(TestEnvironment.StorageConnectionString, $"{harness.Settings["LocalRuntime:TaskHub"]}History");
        var timers = 0;
        await foreach (var e in history.QueryAsync<Azure.Data.Tables.TableEntity>(e => e.PartitionKey == id))
        {
            if (e.GetString("EventType") == "TimerCreated") timers++;
        }

        // Four points (three reminders, the case due date) over ~6 s with 1-s pieces: many more timers than points.
        Assert.True(timers >= 8, $"expected the long timers to be split into 1-s pieces, saw {timers} TimerCreated events");
    }

    [Fact]
    public async Task The_escalation_demo_runs_reminders_a_missed_reviewer_due_date_declines_and_the_medical_director_assigning_in_the_console()
    {
        await using var harness = await RuntimeHarness.StartAsync(configure: s =>
        {
            foreach (var (k, v) in EscalationDemo.Settings) s[k] = v;
        });

        var exit = await EscalationDemo.RunAsync(harness.Runtime, TestEnvironment.Blobs, TestEnvironment.RepoRoot);

        Assert.Equal(0, exit); // it throws (a timeout) if any step of the escalation does not happen
    }
}
