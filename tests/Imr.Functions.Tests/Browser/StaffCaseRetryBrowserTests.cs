using Imr.Domain.Cases;
using Imr.Functions.Storage;
using Imr.Functions.Tests.Infrastructure;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Imr.Functions.Tests.Browser;

/// <summary>
/// The page the "needs attention" mail links to resolves it: the medical director retries the case from its page
/// (Chromium, JavaScript off, local runtime on Azurite) and the workflow restarts at its stored step; a CaseViewer has no
/// form and a forged post changes nothing.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class StaffCaseRetryBrowserTests : IAsyncLifetime
{
    private StaffConsoleSession _staff = null!;

    private RuntimeHarness App => _staff.App;

    public async Task InitializeAsync() => _staff = await StaffConsoleSession.StartAsync();

    public async Task DisposeAsync() => await _staff.DisposeAsync();

    private string Url(string path) => _staff.Url(path);

    private Task<IPage> SignedInAsync(string button) => _staff.SignInAsAsync(button);

    [Fact]
    public async Task The_medical_director_retries_a_case_that_needs_attention_from_its_page()
    {
        // A case waiting for its reviewer's acceptance whose workflow stopped on a permanent failure (as RecordNeedsAttention leaves it).
        var caseNumber = TestEnvironment.NewCaseNumber("T");
        await TestEnvironment.UploadSampleCaseAsync(caseNumber);
        await App.LinkAsync(caseNumber, $"{caseNumber}-A1-offer");
        var instanceId = $"case-{caseNumber}";
        await App.Runtime.DurableClient.TerminateInstanceAsync(instanceId);
        await TestEnvironment.EventuallyAsync(async () => (await App.Runtime.DurableClient.GetInstanceAsync(instanceId))?.RuntimeStatus == OrchestrationRuntimeStatus.Terminated ? "yes" : null, TimeSpan.FromSeconds(30), "terminated");
        const string reason = "Step OfferAssignment failed (InvalidDataException); retrying cannot cure it. Correct the cause, then retry the case from its page in the staff console.";
        await App.Cases.ChangeAsync(caseNumber, c =>
        {
            c.StatusBeforeAttention = c.Status;
            c.State = CaseStatus.NeedsAttention;
            c.AttentionReason = reason;
            c.AttentionSince = DateTimeOffset.UtcNow;
        });
        var action = $"/api/staff/cases/{caseNumber}/retry";

        var viewer = await SignedInAsync("Sign in as Vera Viewer");
        await viewer.GotoAsync(Url($"/api/staff/cases/{caseNumber}"));
        Assert.Contains(reason, await viewer.Locator("main").InnerTextAsync());
        Assert.Equal(0, await viewer.Locator($"form[action='{action}']").CountAsync());
        var forged = await viewer.APIRequest.PostAsync(Url(action), new() { Form = viewer.APIRequest.CreateFormData().Set("csrf", "x") });
        Assert.Equal(403, forged.Status);
        Assert.Equal("NeedsAttention", (await App.Cases.GetAsync(caseNumber))!.Status);

        var director = await SignedInAsync("Sign in as Dana Director");
        await director.GotoAsync(Url($"/api/staff/cases/{caseNumber}"));
        await director.GetByRole(AriaRole.Button, new() { Name = $"Retry case {caseNumber}" }).ClickAsync();
        Assert.Equal($"Case {caseNumber}", await director.TitleAsync());
        await TestEnvironment.EventuallyAsync(async () => (await App.Cases.GetAsync(caseNumber))?.Status == "AwaitingAcceptance" ? "yes" : null, TimeSpan.FromSeconds(30), "restarted");
        Assert.Equal(OrchestrationRuntimeStatus.Running, (await App.Runtime.DurableClient.GetInstanceAsync(instanceId))!.RuntimeStatus);
        var trail = await App.Runtime.Services.GetRequiredService<AuditLog>().ForCaseAsync(caseNumber);
        Assert.Contains(trail, r => r.What == "Workflow restarted" && r.Details.Contains("retry requested by Dana Director (dev-medical-director)"));
    }
}
