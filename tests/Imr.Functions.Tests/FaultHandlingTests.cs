using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Imr.Domain.Cases;
using Imr.Domain.Reviewers;
using Imr.Functions.Services;
using Imr.Functions.Storage;
using Imr.Functions.Tests.Infrastructure;
using Imr.Functions.Web;
using Imr.Functions.Workflow;
using Imr.LocalRuntime.Demo;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Imr.Functions.Tests;

/// <summary>
/// Faults are normal (issue 12): storage failures injected into the app's own storage clients (an Azure SDK pipeline
/// policy, the real requests otherwise go to Azurite) are retried when transient and end in a visible NeedsAttention state
/// when permanent; reconciliation restarts an orchestration that failed before its case had a row; a late activity
/// cannot roll a case back; the staff's free-text eligibility reason stays out of the durable history.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class FaultHandlingTests
{
    /// <summary>Fails matching storage requests a given number of times, as the service would (status in the message, as the SDK words it).</summary>
    private sealed class StorageFaults : HttpPipelinePolicy
    {
        private int _remaining;
        private int _injected;
        private int _status;
        private Func<Request, bool> _match = _ => false;

        public int Injected => Volatile.Read(ref _injected);

        public void Arm(Func<Request, bool> match, int times, int status)
        {
            _match = match;
            _status = status;
            Volatile.Write(ref _remaining, times);
        }

        public void Disarm() => Volatile.Write(ref _remaining, 0);

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Fail(message);
            ProcessNext(message, pipeline);
        }

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Fail(message);
            return ProcessNextAsync(message, pipeline);
        }

        private void Fail(HttpMessage message)
        {
            if (Volatile.Read(ref _remaining) <= 0 || !_match(message.Request) || Interlocked.Decrement(ref _remaining) < 0) return;
            Interlocked.Increment(ref _injected);
            throw new RequestFailedException(_status, $"Service request failed.\nStatus: {_status} (injected by the test)");
        }
    }

    /// <summary>The workflow test host with the app's storage clients going through <paramref name="faults"/>.</summary>
    private static async Task<DurableTaskTestHost> StartHostAsync(StorageFaults faults, Action<Dictionary<string, string?>>? configure = null)
    {
        var settings = TestEnvironment.AppSettings(RuntimeHarness.NewTaskHub(), 7071);
        settings["Imr:AcceptanceWindow"] = "1.00:00:00";
        configure?.Invoke(settings);
        var configuration = TestEnvironment.Configuration(settings);
        var host = await WorkflowTestHost.StartWithFreePortAsync(new DurableTaskTestHostOptions
        {
            ConfigureServices = services =>
            {
                services.AddImrApplication(configuration);
                var blobOptions = new BlobClientOptions();
                var tableOptions = new TableClientOptions();
                blobOptions.AddPolicy(faults, HttpPipelinePosition.PerRetry);
                tableOptions.AddPolicy(faults, HttpPipelinePosition.PerRetry);
                services.AddSingleton(new StorageClients(new BlobServiceClient(TestEnvironment.StorageConnectionString, blobOptions), new TableServiceClient(TestEnvironment.StorageConnectionString, tableOptions)));
            },
        });
        await host.Services.GetRequiredService<StorageClients>().EnsureCreatedAsync();
        var roster = host.Services.GetRequiredService<RosterStore>();
        foreach (var r in JsonSerializer.Deserialize<List<Reviewer>>(File.ReadAllBytes(Path.Combine(TestEnvironment.RepoRoot, "samples", "roster.json")), CasePackage.JsonOptions)!)
        {
            await roster.UpsertAsync(r);
        }

        return host;
    }

    private static bool UpdatesAssignment(Request r) => r.Method == RequestMethod.Put && r.Uri.Path.Contains($"/{StorageNames.AssignmentsTable}(", StringComparison.Ordinal);

    private static bool InsertsAssignment(Request r) => r.Method == RequestMethod.Post && r.Uri.Path.TrimEnd('/').EndsWith($"/{StorageNames.AssignmentsTable}", StringComparison.Ordinal);

    /// <summary>A write of an intake row: an update, or the insert of a case started without intake (as here).</summary>
    private static bool WritesIntakeRow(Request r) =>
        (r.Method == RequestMethod.Put && r.Uri.Path.Contains($"/{StorageNames.IntakeTable}(", StringComparison.Ordinal))
        || (r.Method == RequestMethod.Post && r.Uri.Path.TrimEnd('/').EndsWith($"/{StorageNames.IntakeTable}", StringComparison.Ordinal));

    private static bool InsertsCase(Request r) => r.Method == RequestMethod.Post && r.Uri.Path.TrimEnd('/').EndsWith($"/{StorageNames.CasesTable}", StringComparison.Ordinal);

    private static async Task<bool> NotificationExistsAsync(string caseNumber, string id) =>
        (await TestEnvironment.Blobs.GetBlobContainerClient(StorageNames.OutboxContainer).GetBlobClient(Outbox.BlobName(caseNumber, id)).ExistsAsync()).Value;

    private static Task WaitForNotificationAsync(string caseNumber, string id) =>
        TestEnvironment.EventuallyAsync(async () => await NotificationExistsAsync(caseNumber, id) ? "yes" : null, TimeSpan.FromSeconds(60), id);

    private static async Task<string> StoreSubmissionAsync(string caseNumber, string assignmentId)
    {
        var blob = $"{caseNumber}/{assignmentId}.json";
        var determination = SampleCaseDriver.LoadDetermination(TestEnvironment.SampleDetermination);
        await TestEnvironment.Blobs.GetBlobContainerClient(StorageNames.SubmissionsContainer).GetBlobClient(blob).UploadAsync(BinaryData.FromObjectAsJson(determination, CasePackage.JsonOptions), overwrite: true);
        return blob;
    }

    private static async Task<OrchestrationMetadata> WaitForCompletionAsync(DurableTaskTestHost host, string id) =>
        await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, new CancellationTokenSource(TimeSpan.FromSeconds(90)).Token);

    [Fact]
    public async Task A_storage_outage_during_RecordAcceptance_is_retried_and_the_case_still_closes_with_its_letter()
    {
        var faults = new StorageFaults();
        await using var host = await StartHostAsync(faults);
        var caseNumber = TestEnvironment.NewCaseNumber("F");
        var id = await WorkflowTestHost.StartCaseAsync(host, caseNumber);
        await WaitForNotificationAsync(caseNumber, $"{caseNumber}-A1-offer");

        // The acceptance's first storage write fails three times with 503 (the SDK does not retry a thrown 503 itself).
        faults.Arm(UpdatesAssignment, times: 3, status: 503);
        await host.Client.RaiseEventAsync(id, CaseEvents.ReviewerAccepted, new ReviewerAccepted($"{caseNumber}-A1"));
        await WaitForNotificationAsync(caseNumber, $"{caseNumber}-A1-determination");
        await host.Client.RaiseEventAsync(id, CaseEvents.DeterminationSubmitted, new DeterminationSubmitted($"{caseNumber}-A1", await StoreSubmissionAsync(caseNumber, $"{caseNumber}-A1")));
        var done = await WaitForCompletionAsync(host, id);

        Assert.Equal(3, faults.Injected);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(nameof(CaseStatus.Closed), done.ReadOutputAs<CaseOutcome>()!.Status);
        Assert.Equal(nameof(CaseStatus.Closed), (await host.Services.GetRequiredService<CaseStore>().GetAsync(caseNumber))!.Status);
        Assert.Single(await host.Services.GetRequiredService<LetterRegister>().ListAsync(caseNumber));
    }

    [Fact]
    public async Task A_permanent_failure_of_the_first_offer_inside_the_records_step_names_the_offer_and_the_operators_retry_makes_it()
    {
        var faults = new StorageFaults();
        await using var host = await StartHostAsync(faults);
        var caseNumber = TestEnvironment.NewCaseNumber("F");
        faults.Arm(InsertsAssignment, times: 5, status: 400); // the offer's assignment row: a 400 is not cured by trying again
        var id = await WorkflowTestHost.StartCaseAsync(host, caseNumber, CaseWorkflowVersions.Current); // 3.2 folds the first offer into the intake step
        var done = await WaitForCompletionAsync(host, id);
        faults.Disarm();

        Assert.Equal(1, faults.Injected);
        Assert.Equal(nameof(CaseStatus.NeedsAttention), done.ReadOutputAs<CaseOutcome>()!.Status);
        var c = (await host.Services.GetRequiredService<CaseStore>().GetAsync(caseNumber))!;
        // Named by the step that failed and its own failure, not by the scheduled step it is folded into.
        Assert.StartsWith("Step OfferAssignment failed (Azure.RequestFailedException)", c.AttentionReason);
        Assert.True(CaseEntity.IsRegistered(c)); // the registration before it in the same step stands
        // The step records its sub-steps' audit rows together at its end, and also when it fails: the screening and the
        // records request that it got through are on the trail.
        var trail = await host.Services.GetRequiredService<AuditLog>().ForCaseAsync(caseNumber);
        Assert.Contains(trail, r => r.What == nameof(Imr.Domain.Eligibility.EligibilityOutcome.Eligible));
        Assert.Contains(trail, r => r.What == IntakeStages.RecordsReceived);
        Assert.Contains(trail, r => r.What == "NoticeOfAssignmentSent");

        // The operator's retry resumes the case at its stored step: the offer.
        Assert.True(await host.Services.GetRequiredService<DeadlineSweeper>().RetryAsync(host.Client, caseNumber, "test operator"));
        await WaitForNotificationAsync(caseNumber, $"{caseNumber}-A1-offer");
        await host.Client.TerminateInstanceAsync(id);
    }

    [Fact]
    public async Task A_permanent_failure_of_the_records_request_inside_the_screening_step_leaves_the_screening_on_the_intake_row_and_the_trail()
    {
        var faults = new StorageFaults();
        await using var host = await StartHostAsync(faults);
        var caseNumber = TestEnvironment.NewCaseNumber("F");
        faults.Arm(WritesIntakeRow, times: 1, status: 400); // the records request's write of the intake row, once
        var id = await WorkflowTestHost.StartCaseAsync(host, caseNumber, CaseWorkflowVersions.Current);
        var done = await WaitForCompletionAsync(host, id);
        faults.Disarm();

        Assert.Equal(1, faults.Injected);
        Assert.Equal(nameof(CaseStatus.NeedsAttention), done.ReadOutputAs<CaseOutcome>()!.Status);
        Assert.StartsWith("Step RequestRecords failed (Azure.RequestFailedException)", (await host.Services.GetRequiredService<CaseStore>().GetAsync(caseNumber))!.AttentionReason);
        // The screening's change of the intake row waits for the records request's write; when that write fails, the step
        // writes the screening's change alone before it fails, so the intake desk shows the screening's result.
        var intake = (await host.Services.GetRequiredService<IntakeStore>().GetAsync(caseNumber))!;
        Assert.Equal(nameof(Imr.Domain.Eligibility.EligibilityOutcome.Eligible), intake.Eligibility);
        Assert.Equal(nameof(Imr.Domain.Eligibility.EligibilityOutcome.Eligible), intake.Stage);
        Assert.Contains(await host.Services.GetRequiredService<AuditLog>().ForCaseAsync(caseNumber), r => r.What == nameof(Imr.Domain.Eligibility.EligibilityOutcome.Eligible));
        await host.Client.TerminateInstanceAsync(id);
    }

    [Fact]
    public async Task A_permanent_failure_is_not_retried_and_leaves_the_case_needing_attention_on_the_case_page_and_the_at_risk_report_until_an_operator_retries()
    {
        var faults = new StorageFaults();
        await using var host = await StartHostAsync(faults);
        var caseNumber = TestEnvironment.NewCaseNumber("F");
        var id = await WorkflowTestHost.StartCaseAsync(host, caseNumber);
        await WaitForNotificationAsync(caseNumber, $"{caseNumber}-A1-offer");

        faults.Arm(UpdatesAssignment, times: 5, status: 400); // a 400 is not cured by trying again
        await host.Client.RaiseEventAsync(id, CaseEvents.ReviewerAccepted, new ReviewerAccepted($"{caseNumber}-A1"));
        var done = await WaitForCompletionAsync(host, id);
        faults.Disarm();

        Assert.Equal(1, faults.Injected); // tried once: no retry of a permanent failure
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus); // a defined end, not Failed
        Assert.Equal(nameof(CaseStatus.NeedsAttention), done.ReadOutputAs<CaseOutcome>()!.Status);
        var c = (await host.Services.GetRequiredService<CaseStore>().GetAsync(caseNumber))!;
        Assert.Equal((nameof(CaseStatus.NeedsAttention), nameof(CaseStatus.AwaitingAcceptance)), (c.Status, c.StatusBeforeAttention));
        Assert.Contains("RecordAcceptance", c.AttentionReason);
        Assert.Contains("RequestFailedException", c.AttentionReason);
        Assert.True(await NotificationExistsAsync(caseNumber, Escalations.NotificationId("NeedsAttention-1"))); // the medical director is told

        var reader = new Web.Staff.StaffUser("test-viewer", "Test Viewer", new HashSet<string> { Web.Staff.StaffRoles.CaseViewer });
        var page = CaseStatusPage.Render((await host.Services.GetRequiredService<StaffCases>().ReadAsync(caseNumber, reader))!, host.Services.GetRequiredService<Web.Staff.StaffAuth>().SessionFor(reader)).Content!;
        Assert.Contains("<dt>Needs attention</dt>", page);
        Assert.Contains("Step RecordAcceptance failed", page);
        var report = await host.Services.GetRequiredService<AtRiskReport>().BuildAsync();
        Assert.Contains(report.NeedingAttention, a => a.CaseNumber == caseNumber && a.Reason.Contains("RecordAcceptance"));
        Assert.Contains(caseNumber, AtRiskPage.Render(report).Content!);

        // Reconciliation leaves a permanent failure to the operator; the operator's retry resumes the case at its step.
        var sweeper = host.Services.GetRequiredService<DeadlineSweeper>();
        Assert.DoesNotContain((await sweeper.SweepAsync(host.Client)).Reconciliation, f => f.CaseNumber == caseNumber);
        Assert.True(await sweeper.RetryAsync(host.Client, caseNumber, "test operator"));
        await host.Client.RaiseEventAsync(id, CaseEvents.ReviewerAccepted, new ReviewerAccepted($"{caseNumber}-A1"));
        await WaitForNotificationAsync(caseNumber, $"{caseNumber}-A1-determination");
        await TestEnvironment.EventuallyAsync(async () => (await host.Services.GetRequiredService<CaseStore>().GetAsync(caseNumber))!.Status == nameof(CaseStatus.InReview) ? "yes" : null, TimeSpan.FromSeconds(30), "in review");
        Assert.DoesNotContain((await host.Services.GetRequiredService<AtRiskReport>().BuildAsync()).NeedingAttention, a => a.CaseNumber == caseNumber);
        Assert.Contains(await host.Services.GetRequiredService<AuditLog>().ForCaseAsync(caseNumber), r => r.What == "Workflow restarted" && r.Details.Contains("test operator"));
        await host.Client.TerminateInstanceAsync(id);
    }

    [Fact]
    public async Task An_orchestration_that_failed_before_its_case_had_a_row_is_found_recorded_and_restarted_from_intake_by_the_sweep()
    {
        var faults = new StorageFaults();
        await using var host = await StartHostAsync(faults);
        var caseNumber = TestEnvironment.NewCaseNumber("F");
        // Every write of a case row fails (even the one recording the failure): the orchestration fails with no case row.
        faults.Arm(InsertsCase, times: 1000, status: 400);
        var id = await WorkflowTestHost.StartCaseAsync(host, caseNumber);
        var failed = await WaitForCompletionAsync(host, id);
        faults.Disarm();
        var store = host.Services.GetRequiredService<CaseStore>();
        Assert.Equal(OrchestrationRuntimeStatus.Failed, failed.RuntimeStatus);
        Assert.Null(await store.GetAsync(caseNumber));

        var sweep = await host.Services.GetRequiredService<DeadlineSweeper>().SweepAsync(host.Client);

        Assert.Contains(new ReconciliationFinding(caseNumber, "Failed", true), sweep.Reconciliation);
        Assert.NotNull(await store.GetAsync(caseNumber));
        Assert.True(await NotificationExistsAsync(caseNumber, Escalations.NotificationId(EscalationLevels.Orchestration("Failed"))));
        var audit = await host.Services.GetRequiredService<AuditLog>().ForCaseAsync(caseNumber);
        Assert.Contains(audit, r => r.What == "Case record restored");
        Assert.Contains(audit, r => r.What == "Workflow restarted" && r.Details.Contains("restarted at intake"));
        // The restarted run goes through intake to the first offer.
        await WaitForNotificationAsync(caseNumber, $"{caseNumber}-A1-offer");
        Assert.Null((await host.Client.GetInstanceAsync(id, getInputsAndOutputs: true))!.ReadInputAs<CaseWorkflowInput>()!.Resume);
        await host.Client.TerminateInstanceAsync(id);
    }

    [Fact]
    public async Task RecordAcceptance_run_again_after_the_case_closed_moves_nothing_back()
    {
        await using var host = await WorkflowTestHost.StartAsync();
        var caseNumber = TestEnvironment.NewCaseNumber("F");
        var manifest = await TestEnvironment.StoreAcceptedSampleCaseAsync(caseNumber);
        var cases = host.Services.GetRequiredService<CaseActivities>();
        var assignments = host.Services.GetRequiredService<AssignmentActivities>();
        var store = host.Services.GetRequiredService<CaseStore>();
        await cases.OpenCase(new OpenCaseStep(caseNumber, manifest, CaseWorkflowVersions.Current));
        await cases.RegisterCase(new CaseWorkflowInput(caseNumber, manifest));
        var offer = (await assignments.OfferAssignment(new AssignmentRequest(caseNumber, 1, [])))!;
        await assignments.RecordAcceptance(offer);
        await assignments.CloseCase(offer);
        var closed = (await store.GetAsync(caseNumber))!;

        // A work-item visibility timeout runs the acceptance (and a late offer and overdue mark) once more.
        await assignments.RecordAcceptance(offer);
        await assignments.OfferAssignment(new AssignmentRequest(caseNumber, 1, []));
        await cases.MarkOverdue(caseNumber);

        var after = (await store.GetAsync(caseNumber))!;
        Assert.Equal((nameof(CaseStatus.Closed), nameof(AssignmentStatus.Completed), false), (after.Status, after.AssignmentStatus, after.Overdue));
        Assert.Equal(closed.ETag, after.ETag); // not even rewritten
        Assert.Equal(nameof(AssignmentStatus.Completed), (await store.GetAssignmentAsync(caseNumber, offer.AssignmentId))!.Status);
        Assert.False(await NotificationExistsAsync(caseNumber, Escalations.NotificationId(EscalationLevels.Overdue)));
    }

    [Fact]
    public async Task A_staff_eligibility_reason_is_stored_and_only_its_id_enters_the_durable_history()
    {
        await using var app = await RuntimeHarness.StartAsync();
        var caseNumber = TestEnvironment.NewCaseNumber("F");
        const string reason = "Liability accepted after Ms. Example's hearing on her lumbar injury.";
        await TestEnvironment.UploadSampleCaseAsync(caseNumber, TestEnvironment.SampleManifest(caseNumber, m => m["disputeType"] = "Liability"));
        await TestEnvironment.EventuallyAsync(async () => (await app.Runtime.Services.GetRequiredService<IntakeStore>().GetAsync(caseNumber))?.Stage == "Deferred" ? "yes" : null, TimeSpan.FromSeconds(60), "deferred");

        var resolved = await app.Http.PostAsJsonAsync($"/api/cases/{caseNumber}/eligibility", new { outcome = "Eligible", reason });
        Assert.Equal(HttpStatusCode.Accepted, resolved.StatusCode);
        await app.LinkAsync(caseNumber, $"{caseNumber}-A1-offer");

        // The case used the reason (from storage) ...
        var intake = (await app.Runtime.Services.GetRequiredService<IntakeStore>().GetAsync(caseNumber))!;
        Assert.Contains(reason, intake.EligibilityReasons);
        // ... and the durable history (the task hub's History table on Azurite) holds the event, with no trace of the text.
        var history = new TableClient(TestEnvironment.StorageConnectionString, app.Settings["LocalRuntime:TaskHub"] + "History");
        var rows = new List<string>();
        await foreach (var e in history.QueryAsync<TableEntity>(e => e.PartitionKey == $"case-{caseNumber}"))
        {
            rows.Add(string.Join("|", e.Select(kv => kv.Value?.ToString())));
        }

        Assert.Contains(rows, r => r.Contains(IntakeEvents.EligibilityResolved));
        Assert.DoesNotContain(rows, r => r.Contains("Ms. Example", StringComparison.Ordinal) || r.Contains("lumbar", StringComparison.Ordinal));
        await app.Runtime.DurableClient.TerminateInstanceAsync($"case-{caseNumber}");
    }

    [Fact]
    public void Every_activity_call_of_the_workflow_passes_the_retry_policy()
    {
        var folder = Path.Combine(TestEnvironment.RepoRoot, "functions", "Workflow");
        var calls = 0;
        foreach (var file in Directory.GetFiles(folder, "*.cs", SearchOption.AllDirectories)) // the orchestration is in Workflow/Case/
        {
            var text = File.ReadAllText(file);
            for (var i = text.IndexOf("context.CallActivityAsync", StringComparison.Ordinal); i >= 0; i = text.IndexOf("context.CallActivityAsync", i + 1, StringComparison.Ordinal))
            {
                // The call's text up to its statement's end.
                var end = text.IndexOf(';', i);
                var call = text[i..end];
                calls++;
                Assert.True(call.Contains("ActivityRetry.Options", StringComparison.Ordinal), $"{Path.GetFileName(file)}: {call[..Math.Min(call.Length, 120)]}");
            }
        }

        Assert.True(calls > 25, $"{calls} activity calls found");
    }

    [Theory]
    [InlineData("Azure.RequestFailedException", "Service request failed.\nStatus: 503 (Service Unavailable)", true)]
    [InlineData("Azure.RequestFailedException", "Service request failed.\nStatus: 429 (Too Many Requests)", true)]
    [InlineData("Azure.RequestFailedException", "Service request failed.\nStatus: 408 (Request Timeout)", true)]
    [InlineData("Azure.RequestFailedException", "Service request failed.\nStatus: 404 (The specified blob does not exist.)", false)]
    [InlineData("Azure.RequestFailedException", "Service request failed.\nStatus: 400 (Bad Request)", false)]
    [InlineData("System.Net.Http.HttpRequestException", "Connection refused (127.0.0.1:10000)", true)]
    [InlineData("System.Net.Http.HttpRequestException", "Communication Services e-mail send (operation x) failed: 429 throttled", true)]
    [InlineData("System.Net.Http.HttpRequestException", "Communication Services e-mail send (operation x) failed: 400 bad address", false)]
    [InlineData("System.AggregateException", "Retry failed after 4 tries. (Connection refused)", true)]
    [InlineData("System.TimeoutException", "The operation has timed out.", true)]
    [InlineData("System.ArgumentException", "Value does not fall within the expected range.", false)]
    [InlineData("System.InvalidOperationException", "Case not recorded.", false)]
    [InlineData("System.Text.Json.JsonException", "invalid", false)]
    public void Failures_are_classified_transient_or_permanent(string type, string message, bool transient) =>
        Assert.Equal(transient, ActivityRetry.IsTransient(new TaskFailureDetails(type, message, null, null, null)));
}
