using System.Net;
using Azure.Data.Tables;
using Imr.Domain.Cases;
using Imr.Functions.Services;
using Imr.Functions.Storage;
using Imr.Functions.Tests.Infrastructure;
using Imr.Functions.Workflow;
using Imr.LocalRuntime.Demo;
using Microsoft.Extensions.DependencyInjection;

namespace Imr.Functions.Tests;

/// <summary>
/// A reviewer's (or the medical director's) answer is recorded before it is acknowledged, and reaches the orchestration
/// even when the request stops between any two steps: the local runtime on the Azure Storage backend, answers over HTTP
/// on loopback. A request stopped at a fault point never continues, which leaves storage exactly as a killed process
/// would (no catch block, no clean-up runs).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AnswerDurabilityTests
{
    /// <summary>Stops the first request that reaches the step it was made for there for good.</summary>
    private sealed class Crash : IDisposable
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _never = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Crash(AnswerFaults faults, AnswerStep at) => faults.Hook = async (step, _) =>
        {
            if (step != at) return;
            faults.Hook = null;
            _reached.TrySetResult();
            await _never.Task;
        };

        public Task Reached => _reached.Task.WaitAsync(TimeSpan.FromSeconds(60));

        // Lets the stopped request end (with an error, doing nothing more) so the runtime can shut down.
        public void Dispose() => _never.TrySetException(new IOException("the process is gone"));
    }

    private static Task<RuntimeHarness> StartAsync(Action<Dictionary<string, string?>>? configure = null) => RuntimeHarness.StartAsync(configure: s =>
    {
        s["Imr:AcceptanceWindow"] = "1.00:00:00";
        configure?.Invoke(s);
    });

    private static AnswerFaults Faults(RuntimeHarness app) => app.Runtime.Services.GetRequiredService<AnswerFaults>();

    private static Task<HttpResponseMessage> PostAsync(RuntimeHarness app, Uri link, Dictionary<string, string>? fields = null)
    {
        var token = Uri.UnescapeDataString(link.Query.Split("token=")[1].Split('&')[0]);
        var form = new Dictionary<string, string>(fields ?? []) { ["token"] = token };
        return app.Http.PostAsync(new Uri(link.GetLeftPart(UriPartial.Path)), new FormUrlEncodedContent(form));
    }

    /// <summary>The decline form's own link: the offer page carries a decline token of its own (the second form's).</summary>
    private static async Task<Uri> DeclineLinkAsync(RuntimeHarness app, Uri offer)
    {
        var page = await app.Http.GetStringAsync(offer);
        var token = WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Matches(page, "name=\"token\" value=\"([^\"]+)\"")[1].Groups[1].Value);
        return new Uri(offer.GetLeftPart(UriPartial.Path).Replace("/accept", "/decline") + "?token=" + Uri.EscapeDataString(token));
    }

    private static Dictionary<string, string> Determination() =>
        SampleCaseDriver.DeterminationForm(SampleCaseDriver.LoadDetermination(TestEnvironment.SampleDetermination));

    /// <summary>Rows of the orchestration's history (Azure Storage provider): events it received, activities it scheduled.</summary>
    private static async Task<int> HistoryCountAsync(RuntimeHarness app, string caseNumber, string eventType, string name)
    {
        var history = new TableClient(TestEnvironment.StorageConnectionString, $"{app.Settings["LocalRuntime:TaskHub"]}History");
        var count = 0;
        await foreach (var row in history.QueryAsync<TableEntity>(e => e.PartitionKey == $"case-{caseNumber}"))
        {
            if (row.GetString("EventType") == eventType && row.GetString("Name") == name) count++;
        }

        return count;
    }

    /// <summary>The deadline sweep, looking at this test's cases only (see TestEnvironment.ForgetOtherCasesDeadlineChecksAsync).</summary>
    private static async Task<SweepReport> SweepAsync(RuntimeHarness app, params string[] cases)
    {
        await TestEnvironment.ForgetOtherCasesDeadlineChecksAsync(cases);
        return await app.Runtime.Services.GetRequiredService<DeadlineSweeper>().SweepAsync(app.Runtime.DurableClient);
    }

    private static async Task<string> StartCaseAsync()
    {
        var caseNumber = TestEnvironment.NewCaseNumber("Q");
        await TestEnvironment.UploadSampleCaseAsync(caseNumber);
        return caseNumber;
    }

    [Theory]
    [InlineData(AnswerStep.Recorded)]
    [InlineData(AnswerStep.Raised)]
    public async Task An_acceptance_stopped_after_it_was_recorded_is_completed_by_the_reviewers_retry_and_applied_once(AnswerStep step)
    {
        await using var app = await StartAsync();
        var caseNumber = await StartCaseAsync();
        var offer = await app.LinkAsync(caseNumber, $"{caseNumber}-A1-offer");
        using (var crash = new Crash(Faults(app), step))
        {
            _ = PostAsync(app, offer);
            await crash.Reached;

            // The reviewer saw no answer and submits again: the recorded acceptance is delivered, and acknowledged.
            var retry = await PostAsync(app, offer);
            var page = await retry.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
            Assert.Contains("Thank you", page);
            Assert.Contains("You have accepted this review", page);
        }

        await app.LinkAsync(caseNumber, $"{caseNumber}-A1-determination");
        Assert.Equal(nameof(AssignmentStatus.Accepted), (await app.Cases.GetAssignmentAsync(caseNumber, $"{caseNumber}-A1"))!.Status);
        // Acted on once. Stopped after the raise, the retry cannot know the first raise happened and raises again: the
        // orchestration matches it to the offer it already accepted and drops it.
        Assert.Equal(1, await HistoryCountAsync(app, caseNumber, "TaskScheduled", nameof(AssignmentActivities.RecordAcceptance)));
        Assert.Equal(step == AnswerStep.Raised ? 2 : 1, await HistoryCountAsync(app, caseNumber, "EventRaised", CaseEvents.ReviewerAccepted));
        // A third click is told it was received, and raises nothing.
        var third = await PostAsync(app, offer);
        Assert.Contains("Already received", await third.Content.ReadAsStringAsync());
        Assert.Equal(step == AnswerStep.Raised ? 2 : 1, await HistoryCountAsync(app, caseNumber, "EventRaised", CaseEvents.ReviewerAccepted));
    }

    [Theory]
    [InlineData(AnswerStep.SubmissionStored)]
    [InlineData(AnswerStep.Recorded)]
    [InlineData(AnswerStep.Raised)]
    public async Task A_determination_stopped_between_any_two_steps_is_completed_by_the_retry_and_issues_one_letter(AnswerStep step)
    {
        await using var app = await StartAsync();
        var caseNumber = await StartCaseAsync();
        var offer = await app.LinkAsync(caseNumber, $"{caseNumber}-A1-offer");
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(app, offer)).StatusCode);
        var review = await app.LinkAsync(caseNumber, $"{caseNumber}-A1-determination");
        using (var crash = new Crash(Faults(app), step))
        {
            _ = PostAsync(app, review, Determination());
            await crash.Reached;

            var retry = await PostAsync(app, review, Determination());
            var page = await retry.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
            Assert.Contains("Your determination has been received", page);
            Assert.Contains("12 Physical Therapy sessions for the lumbar spine: Upheld", page); // what was received
        }

        await app.Driver.WaitForStatusAsync(app.Runtime.BaseAddress, caseNumber, "Closed", TimeSpan.FromSeconds(60));
        var letters = await app.Runtime.Services.GetRequiredService<LetterRegister>().ListAsync(caseNumber);
        Assert.Equal(1, Assert.Single(letters).Version);
        Assert.Equal(1, await HistoryCountAsync(app, caseNumber, "TaskScheduled", nameof(IssuanceActivities.IssueDetermination)));
        // Stopped after the raise, the retry raises again; the second copy is dropped (or, if the case already closed, never
        // reaches the history at all).
        var raised = await HistoryCountAsync(app, caseNumber, "EventRaised", CaseEvents.DeterminationSubmitted);
        if (step == AnswerStep.Raised) Assert.InRange(raised, 1, 2);
        else Assert.Equal(1, raised);
    }

    [Fact]
    public async Task Answers_recorded_by_requests_that_stopped_are_delivered_by_the_sweep_without_a_retry()
    {
        await using var app = await StartAsync();
        var accepted = await StartCaseAsync();
        var declined = await StartCaseAsync();
        var acceptOffer = await app.LinkAsync(accepted, $"{accepted}-A1-offer");
        var declineOffer = await app.LinkAsync(declined, $"{declined}-A1-offer");
        using (var crash = new Crash(Faults(app), AnswerStep.Recorded))
        {
            _ = PostAsync(app, acceptOffer);
            await crash.Reached;
        }

        using (var crash = new Crash(Faults(app), AnswerStep.Recorded))
        {
            _ = PostAsync(app, await DeclineLinkAsync(app, declineOffer), new() { ["reason"] = "On leave that month." });
            await crash.Reached;
        }

        var uses = app.Runtime.Services.GetRequiredService<CallbackUses>();
        Assert.Contains(await uses.ListPendingAsync(), p => p.Key == $"{accepted}-A1");
        await Task.Delay(AnswerRedelivery.DeliveryLease); // the stopped requests' time to raise them runs out

        await SweepAsync(app, accepted, declined);

        await app.LinkAsync(accepted, $"{accepted}-A1-determination");
        await app.LinkAsync(declined, $"{declined}-A2-offer");
        var a1 = (await app.Cases.GetAssignmentAsync(declined, $"{declined}-A1"))!;
        Assert.Equal((nameof(AssignmentStatus.Declined), "On leave that month."), (a1.Status, a1.DeclineReason));
        Assert.Equal(1, await HistoryCountAsync(app, accepted, "EventRaised", CaseEvents.ReviewerAccepted));
        Assert.Equal(1, await HistoryCountAsync(app, declined, "EventRaised", AssignmentEvents.ReviewerDeclined));

        // The next sweep sees both cases moved past their answers: delivered, out of the pending index, not raised again.
        await TestEnvironment.EventuallyAsync(async () => (await app.Cases.GetAssignmentAsync(accepted, $"{accepted}-A1"))!.AcceptedAt, TimeSpan.FromSeconds(30), "acceptance recorded");
        await SweepAsync(app, accepted, declined);
        Assert.Equal(AnswerStates.Delivered, (await uses.GetAsync($"{accepted}-A1", ReviewerCallbacks.OfferAnswer))!.State);
        Assert.Equal(AnswerStates.Delivered, (await uses.GetAsync($"{declined}-A1", ReviewerCallbacks.OfferAnswer))!.State);
        Assert.DoesNotContain(await uses.ListPendingAsync(), p => p.Key == $"{accepted}-A1" || p.Key == $"{declined}-A1");
        Assert.Equal(1, await HistoryCountAsync(app, accepted, "EventRaised", CaseEvents.ReviewerAccepted));
        // The reviewer who comes back is told the answer was received.
        Assert.Contains("Already received", await (await PostAsync(app, acceptOffer)).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_answer_claimed_but_never_raised_as_the_old_route_left_it_is_found_on_the_running_case_and_delivered()
    {
        // The reconcile check falls due at once, so the sweep looks at this running case.
        await using var app = await StartAsync(s => s["Imr:ReconcileInterval"] = "00:00:01");
        var caseNumber = await StartCaseAsync();
        await app.LinkAsync(caseNumber, $"{caseNumber}-A1-offer");
        // What a crash between the claim and the event left before this change: a bare claim, no event, no pending row.
        await app.Runtime.Services.GetRequiredService<CallbackUses>().TryClaimAsync($"{caseNumber}-A1", ReviewerCallbacks.OfferAnswer, "You have accepted this review.");
        await Task.Delay(TimeSpan.FromSeconds(2));

        await SweepAsync(app, caseNumber);

        await app.LinkAsync(caseNumber, $"{caseNumber}-A1-determination");
        Assert.Equal(1, await HistoryCountAsync(app, caseNumber, "TaskScheduled", nameof(AssignmentActivities.RecordAcceptance)));
    }

    [Fact]
    public async Task An_answer_that_does_not_take_effect_is_escalated_once_to_a_person()
    {
        // Stall threshold zero: any recorded answer the case has not acted on when the sweep looks counts as stalled.
        await using var app = await StartAsync(s =>
        {
            s["Imr:ReconcileInterval"] = "00:00:01";
            s["Imr:AnswerStallAfter"] = "00:00:00";
        });
        var caseNumber = await StartCaseAsync();
        await app.LinkAsync(caseNumber, $"{caseNumber}-A1-offer");
        // A determination claimed for the offered (not yet accepted) assignment, its submission never stored: the
        // workflow cannot act on it, however often it is raised.
        var assignmentId = $"{caseNumber}-A1";
        await app.Runtime.Services.GetRequiredService<CallbackUses>().TryClaimAsync(assignmentId, ReviewerCallbacks.DeterminationUse(0), "Your determination has been received.");
        await Task.Delay(TimeSpan.FromSeconds(2));

        await SweepAsync(app, caseNumber);
        await Task.Delay(TimeSpan.FromSeconds(2));
        await SweepAsync(app, caseNumber);

        var level = $"answer-not-applied-{assignmentId}-{ReviewerCallbacks.DeterminationUse(0)}";
        var outbox = RuntimeHarness.Blobs.GetBlobContainerClient(StorageNames.OutboxContainer);
        var mail = Outbox.TextBody((await outbox.GetBlobClient(Outbox.BlobName(caseNumber, Escalations.NotificationId(level))).DownloadContentAsync()).Value.Content);
        Assert.Contains("has not taken effect", mail);
        Assert.Single(await app.BlobNamesAsync(StorageNames.OutboxContainer, $"{caseNumber}/{Escalations.NotificationId("answer-not-applied")}"));
    }

    [Fact]
    public async Task A_manual_assignment_stopped_after_it_was_recorded_is_completed_by_the_retry_once()
    {
        await using var app = await RuntimeHarness.StartAsync(configure: s =>
        {
            s["Imr:AcceptanceWindow"] = "00:00:01";
            s["Imr:MaxOfferRounds"] = "1";
        });
        var caseNumber = await StartCaseAsync();
        await TestEnvironment.EventuallyAsync(async () => (await app.Cases.GetAsync(caseNumber))?.ManualAssignmentRound == 2 ? "yes" : null, TimeSpan.FromSeconds(60), "the escalation");
        FormUrlEncodedContent Choice() => new(new Dictionary<string, string> { ["reviewerId"] = "rev-002", ["assignedBy"] = "Dr. Medical Director" });
        using (var crash = new Crash(Faults(app), AnswerStep.Recorded))
        {
            _ = app.Http.PostAsync($"/api/manage/cases/{caseNumber}/assign", Choice());
            await crash.Reached;

            var retry = await app.Http.PostAsync($"/api/manage/cases/{caseNumber}/assign", Choice());
            Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        }

        await app.LinkAsync(caseNumber, $"{caseNumber}-A2-determination");
        Assert.Equal(1, await HistoryCountAsync(app, caseNumber, "EventRaised", AssignmentEvents.ManualAssignment));
        Assert.Equal("rev-002", (await app.Cases.GetAsync(caseNumber))!.CurrentReviewerId);
    }
}
