using System.Text.Json.Nodes;
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
/// The sweep restarts a stopped case from its last good state (a ResumePoint read from Table storage), on the in-memory
/// Durable Task sidecar with the real activities on Azurite; and one app runs cases of different review programs.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ReconciliationTests
{
    private static async Task<bool> NotificationExistsAsync(string caseNumber, string id) =>
        (await TestEnvironment.Blobs.GetBlobContainerClient(StorageNames.OutboxContainer).GetBlobClient(Outbox.BlobName(caseNumber, id)).ExistsAsync()).Value;

    private static Task WaitForNotificationAsync(string caseNumber, string id) =>
        TestEnvironment.EventuallyAsync(async () => await NotificationExistsAsync(caseNumber, id) ? "yes" : null, TimeSpan.FromSeconds(45), id);

    private static async Task<string> StoreSubmissionAsync(string caseNumber, string assignmentId)
    {
        var blob = $"{caseNumber}/{assignmentId}.json";
        var determination = SampleCaseDriver.LoadDetermination(TestEnvironment.SampleDetermination);
        await TestEnvironment.Blobs.GetBlobContainerClient(StorageNames.SubmissionsContainer).GetBlobClient(blob).UploadAsync(BinaryData.FromObjectAsJson(determination, CasePackage.JsonOptions), overwrite: true);
        return blob;
    }

    private static async Task TerminateAsync(DurableTaskTestHost host, string id)
    {
        await host.Client.TerminateInstanceAsync(id);
        await host.Client.WaitForInstanceCompletionAsync(id, new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
    }

    private static async Task<OrchestrationMetadata> WaitForCompletionAsync(DurableTaskTestHost host, string id) =>
        await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);

    private static Task<DurableTaskTestHost> StartHostAsync() => WorkflowTestHost.StartAsync(s =>
    {
        s["Imr:AcceptanceWindow"] = "1.00:00:00";
        s["Imr:ReconcileRestart"] = "true";
    });

    [Fact]
    public async Task A_case_terminated_after_A1_was_declined_and_A2_accepted_resumes_at_A2_and_issues_one_letter_on_A2s_determination()
    {
        await using var host = await StartHostAsync();
        var caseNumber = TestEnvironment.NewCaseNumber("K");
        var id = await WorkflowTestHost.StartCaseAsync(host, caseNumber);
        await WaitForNotificationAsync(caseNumber, $"{caseNumber}-A1-offer");
        await host.Client.RaiseEventAsync(id, AssignmentEvents.ReviewerDeclined, new ReviewerDeclined($"{caseNumber}-A1"));
        await WaitForNotificationAsync(caseNumber, $"{caseNumber}-A2-offer");
        await host.Client.RaiseEventAsync(id, CaseEvents.ReviewerAccepted, new ReviewerAccepted($"{caseNumber}-A2"));
        await WaitForNotificationAsync(caseNumber, $"{caseNumber}-A2-determination");
        await TerminateAsync(host, id);
        var store = host.Services.GetRequiredService<CaseStore>();
        var before = (await store.GetAsync(caseNumber))!;

        var sweep = await host.Services.GetRequiredService<DeadlineSweeper>().SweepAsync(host.Client);

        Assert.Contains(new ReconciliationFinding(caseNumber, "Terminated", true), sweep.Reconciliation);
        var restarted = (await host.Client.GetInstanceAsync(id, getInputsAndOutputs: true))!;
        var resume = restarted.ReadInputAs<CaseWorkflowInput>()!.Resume!;
        Assert.Equal((ResumeStep.AwaitDetermination, 2, $"{caseNumber}-A2"), (resume.Step, resume.Round, resume.AssignmentId));
        Assert.Single(resume.ExcludedReviewerIds); // A1's reviewer, who declined

        // As the reviewer route does: an event is raised to a running instance only (one still pending may drop it).
        await TestEnvironment.EventuallyAsync(async () => (await host.Client.GetInstanceAsync(id))?.RuntimeStatus == OrchestrationRuntimeStatus.Running ? "yes" : null, TimeSpan.FromSeconds(60), "the restarted case running");
        await host.Client.RaiseEventAsync(id, CaseEvents.DeterminationSubmitted, new DeterminationSubmitted($"{caseNumber}-A2", await StoreSubmissionAsync(caseNumber, $"{caseNumber}-A2")));
        var done = await WaitForCompletionAsync(host, id);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(nameof(CaseStatus.Closed), done.ReadOutputAs<CaseOutcome>()!.Status);
        Assert.Single(await host.Services.GetRequiredService<LetterRegister>().ListAsync(caseNumber));
        var after = (await store.GetAsync(caseNumber))!;
        Assert.Equal((before.ReceivedAt, before.CaseDueAt, $"{caseNumber}-A2"), (after.ReceivedAt, after.CaseDueAt, after.CurrentAssignmentId));
        Assert.Null(await store.GetAssignmentAsync(caseNumber, $"{caseNumber}-A3")); // nobody else was offered the case
        Assert.Equal(nameof(AssignmentStatus.Declined), (await store.GetAssignmentAsync(caseNumber, $"{caseNumber}-A1"))!.Status);
        // The restart mailed nothing the first run had sent: still one notification per id (create-once), and the
        // orchestration escalation was sent once; a later sweep finds the case closed and does nothing.
        Assert.True(await NotificationExistsAsync(caseNumber, Escalations.NotificationId(EscalationLevels.Orchestration("Terminated"))));
        var again = await host.Services.GetRequiredService<DeadlineSweeper>().SweepAsync(host.Client);
        Assert.DoesNotContain(again.Reconciliation, f => f.CaseNumber == caseNumber);
    }

    [Fact]
    public async Task A_case_terminated_while_waiting_for_the_determination_that_was_already_stored_is_restarted_and_issues_its_letter_once()
    {
        await using var host = await StartHostAsync();
        var caseNumber = TestEnvironment.NewCaseNumber("K");
        var id = await WorkflowTestHost.StartCaseAsync(host, caseNumber);
        await WaitForNotificationAsync(caseNumber, $"{caseNumber}-A1-offer");
        await host.Client.RaiseEventAsync(id, CaseEvents.ReviewerAccepted, new ReviewerAccepted($"{caseNumber}-A1"));
        await WaitForNotificationAsync(caseNumber, $"{caseNumber}-A1-determination");
        // The reviewer's determination is stored (as the callback route stores it before raising the event), but the
        // orchestration stops before it is delivered.
        await StoreSubmissionAsync(caseNumber, $"{caseNumber}-A1");
        await TerminateAsync(host, id);

        var sweeper = host.Services.GetRequiredService<DeadlineSweeper>();
        var sweep = await sweeper.SweepAsync(host.Client);
        var done = await WaitForCompletionAsync(host, id);

        Assert.Contains(new ReconciliationFinding(caseNumber, "Terminated", true), sweep.Reconciliation);
        Assert.Equal(ResumeStep.AwaitDetermination, (await host.Client.GetInstanceAsync(id, getInputsAndOutputs: true))!.ReadInputAs<CaseWorkflowInput>()!.Resume!.Step);
        Assert.Equal(nameof(CaseStatus.Closed), done.ReadOutputAs<CaseOutcome>()!.Status);
        var letters = await host.Services.GetRequiredService<LetterRegister>().ListAsync(caseNumber);
        Assert.Equal(1, Assert.Single(letters).Version);
        Assert.Equal($"{caseNumber}/{caseNumber}-A1.json", letters[0].SubmissionBlobName);
        Assert.Equal(nameof(CaseStatus.Closed), (await host.Services.GetRequiredService<CaseStore>().GetAsync(caseNumber))!.Status);
        // Another sweep leaves the closed case alone: no second restart, no second letter.
        var again = await sweeper.SweepAsync(host.Client);
        Assert.DoesNotContain(again.Reconciliation, f => f.CaseNumber == caseNumber);
        Assert.Single(await host.Services.GetRequiredService<LetterRegister>().ListAsync(caseNumber));
    }

    [Fact]
    public async Task A_case_terminated_with_an_unanswered_offer_whose_window_has_passed_moves_on_to_the_next_reviewer()
    {
        // A 15-second acceptance window (the first run is stopped well within it): it has passed by the time the sweep restarts the case.
        await using var host = await WorkflowTestHost.StartAsync(s =>
        {
            s["Imr:AcceptanceWindow"] = "00:00:15";
            s["Imr:ReconcileRestart"] = "true";
        });
        var caseNumber = TestEnvironment.NewCaseNumber("K");
        var id = await WorkflowTestHost.StartCaseAsync(host, caseNumber);
        await WaitForNotificationAsync(caseNumber, $"{caseNumber}-A1-offer");
        await TerminateAsync(host, id);
        var a1 = (await host.Services.GetRequiredService<CaseStore>().GetAssignmentAsync(caseNumber, $"{caseNumber}-A1"))!;
        await TestEnvironment.EventuallyAsync(() => Task.FromResult(DateTimeOffset.UtcNow > a1.OfferedAt.AddSeconds(16) ? "yes" : null), TimeSpan.FromSeconds(30), "window passed");

        await host.Services.GetRequiredService<DeadlineSweeper>().SweepAsync(host.Client);
        await WaitForNotificationAsync(caseNumber, $"{caseNumber}-A2-offer");

        var store = host.Services.GetRequiredService<CaseStore>();
        var resume = (await host.Client.GetInstanceAsync(id, getInputsAndOutputs: true))!.ReadInputAs<CaseWorkflowInput>()!.Resume!;
        Assert.Equal((ResumeStep.AwaitAnswer, 1), (resume.Step, resume.Round));
        Assert.Equal(nameof(AssignmentStatus.TimedOut), (await store.GetAssignmentAsync(caseNumber, $"{caseNumber}-A1"))!.Status);
        Assert.NotEqual(a1.ReviewerId, (await store.GetAssignmentAsync(caseNumber, $"{caseNumber}-A2"))!.ReviewerId);
        await host.Client.TerminateInstanceAsync(id);
    }

    [Fact]
    public async Task A_case_terminated_while_waiting_for_the_medical_director_resumes_that_wait_gets_the_recorded_choice_and_escalates_nothing_twice()
    {
        await using var host = await WorkflowTestHost.StartAsync(s =>
        {
            s["Imr:AcceptanceWindow"] = "1.00:00:00";
            s["Imr:MaxOfferRounds"] = "1";
            s["Imr:ReconcileRestart"] = "true";
        });
        var caseNumber = TestEnvironment.NewCaseNumber("K");
        var id = await WorkflowTestHost.StartCaseAsync(host, caseNumber);
        await WaitForNotificationAsync(caseNumber, $"{caseNumber}-A1-offer");
        await host.Client.RaiseEventAsync(id, AssignmentEvents.ReviewerDeclined, new ReviewerDeclined($"{caseNumber}-A1"));
        await WaitForNotificationAsync(caseNumber, "escalation-MedicalDirector");
        var store = host.Services.GetRequiredService<CaseStore>();
        await TestEnvironment.EventuallyAsync(async () => (await store.GetAsync(caseNumber))!.Status == nameof(CaseStatus.AwaitingManualAssignment) ? "yes" : null, TimeSpan.FromSeconds(30), "manual assignment status");
        Assert.Equal(2, (await store.GetAsync(caseNumber))!.ManualAssignmentRound);
        // The medical director's choice for round 2 is claimed by the route (as it does before raising the event), and
        // the orchestration stops before it gets the event.
        await host.Services.GetRequiredService<CallbackUses>().TryClaimAsync($"{caseNumber}-A2", RosterAdmin.ManualAssignmentUse,
            System.Text.Json.JsonSerializer.Serialize(new RosterAdmin.ManualChoice("rev-003", "Dr. Medical Director")));
        await TerminateAsync(host, id);

        await host.Services.GetRequiredService<DeadlineSweeper>().SweepAsync(host.Client);
        await host.Client.RaiseEventAsync(id, AssignmentEvents.ManualAssignment, new ManualAssignment("rev-001", "Someone", 1)); // a stale round: dropped
        await WaitForNotificationAsync(caseNumber, $"{caseNumber}-A2-determination");

        var resume = (await host.Client.GetInstanceAsync(id, getInputsAndOutputs: true))!.ReadInputAs<CaseWorkflowInput>()!.Resume!;
        Assert.Equal((ResumeStep.AwaitManualAssignment, 1), (resume.Step, resume.Round));
        var a2 = (await store.GetAssignmentAsync(caseNumber, $"{caseNumber}-A2"))!;
        Assert.Equal(("rev-003", "Dr. Medical Director", nameof(AssignmentStatus.Accepted)), (a2.ReviewerId, a2.AssignedBy, a2.Status));
        Assert.False(await NotificationExistsAsync(caseNumber, "escalation-MedicalDirector-after-R1")); // no second "needs a reviewer" mail
        await host.Client.TerminateInstanceAsync(id);
    }

    [Fact]
    public async Task One_app_gives_an_aca_case_45_days_or_72_hours_expedited_and_a_california_case_30_days()
    {
        await using var host = await WorkflowTestHost.StartAsync(s => s["Imr:AcceptanceWindow"] = "1.00:00:00");
        var california = TestEnvironment.NewCaseNumber("G");
        var aca = TestEnvironment.NewCaseNumber("G");
        var acaExpedited = TestEnvironment.NewCaseNumber("G");
        static void Aca(JsonNode m) => m["program"] = "AcaExternalReview";
        var ids = new List<string>
        {
            await StartAsync(host, california, null),
            await StartAsync(host, aca, Aca),
            await StartAsync(host, acaExpedited, m =>
            {
                Aca(m);
                m["expedited"] = true;
                m["expeditedCertification"] = new JsonObject { ["certifiedBy"] = "Dr. Treating Physician", ["certifiedOn"] = "2026-11-20", ["statement"] = "Imminent and serious threat to health." };
            }),
        };
        foreach (var c in new[] { california, aca, acaExpedited }) await WaitForNotificationAsync(c, $"{c}-A1-offer");

        var store = host.Services.GetRequiredService<CaseStore>();
        var (ca, ac, ax) = ((await store.GetAsync(california))!, (await store.GetAsync(aca))!, (await store.GetAsync(acaExpedited))!);
        foreach (var id in ids) await host.Client.TerminateInstanceAsync(id);

        // Calendar days in Los Angeles: a daylight-saving change in the period makes one of them 23 or 25 hours.
        Assert.Equal(nameof(ReviewProgram.CaliforniaWorkersCompensation), ca.Program);
        Assert.InRange((ca.CaseDueAt - ca.ReceivedAt).TotalHours, 30 * 24 - 1, 30 * 24 + 1);
        Assert.Equal(nameof(ReviewProgram.AcaExternalReview), ac.Program);
        Assert.InRange((ac.CaseDueAt - ac.ReceivedAt).TotalHours, 45 * 24 - 1, 45 * 24 + 1);
        Assert.Equal(TimeSpan.FromHours(72), ax.CaseDueAt - ax.ReceivedAt);
        // The reviewer leads differ too: two calendar days for California, five business days for ACA.
        Assert.InRange((ca.CaseDueAt - ca.ReviewerDueAt).TotalHours, 47, 49);
        Assert.True(ac.CaseDueAt - ac.ReviewerDueAt >= TimeSpan.FromDays(5) - TimeSpan.FromHours(1));
    }

    private static async Task<string> StartAsync(DurableTaskTestHost host, string caseNumber, Action<JsonNode>? change)
    {
        var manifestBlob = await TestEnvironment.StoreAcceptedSampleCaseAsync(caseNumber, TestEnvironment.SampleManifest(caseNumber, change));
        return await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(CaseOrchestrator), new CaseWorkflowInput(caseNumber, manifestBlob), new StartOrchestrationOptions($"case-{caseNumber}"));
    }
}
