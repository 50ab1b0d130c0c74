using System.Net;
using Imr.Functions.Storage;
using Imr.Functions.Tests.Infrastructure;
using Imr.LocalRuntime.Demo;

namespace Imr.Functions.Tests;

/// <summary>
/// A reviewer's link of the current assignment is judged from the case row (which mirrors the assignment's offer time
/// and determination revision); the assignment's own row is read only when the case row cannot say.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ReviewerLinkReadsTests : IAsyncLifetime
{
    private readonly StorageRequestCounter _counter = new();
    private RuntimeHarness _app = null!;

    public async Task InitializeAsync() => _app = await RuntimeHarness.StartAsync(counter: _counter);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private long Count(string kind, string table) => _counter.SnapshotByTarget().GetValueOrDefault(("table", kind, table));

    [Fact]
    public async Task The_pages_of_the_current_assignment_read_the_case_row_and_the_answer_but_not_the_assignment_row()
    {
        var caseNumber = TestEnvironment.NewCaseNumber();
        await TestEnvironment.UploadSampleCaseAsync(caseNumber);
        var offer = await _app.LinkAsync(caseNumber, $"{caseNumber}-A1-offer");
        var row = await _app.Cases.GetAsync(caseNumber);
        var assignment = await _app.Cases.GetAssignmentAsync(caseNumber, $"{caseNumber}-A1");
        Assert.Equal(assignment!.OfferedAt, row!.CurrentOfferedAt);
        Assert.Equal(0, row.CurrentDeterminationRevision);

        _counter.Reset();
        var page = await _app.Http.GetAsync(offer);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(1, Count("GetEntity", "Cases"));
        Assert.Equal(1, Count("GetEntity", "CallbackUses"));
        Assert.Equal(0, Count("GetEntity", "Assignments"));

        var (_, accepted) = await _app.Driver.FollowAndSubmitAsync(offer, new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        var determination = await _app.LinkAsync(caseNumber, $"{caseNumber}-A1-determination");
        _counter.Reset();
        var form = await _app.Http.GetAsync(determination);
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        Assert.Equal(0, Count("GetEntity", "Assignments"));
    }

    [Fact]
    public async Task A_case_row_written_before_the_mirror_still_serves_its_links_from_the_assignment_row()
    {
        var caseNumber = TestEnvironment.NewCaseNumber();
        await TestEnvironment.UploadSampleCaseAsync(caseNumber);
        var offer = await _app.LinkAsync(caseNumber, $"{caseNumber}-A1-offer");
        // As a row stored before the mirror existed: no offer time, no revision (Replace drops the properties).
        await _app.Cases.UpdateAsync(caseNumber, c =>
        {
            c.CurrentOfferedAt = null;
            c.CurrentDeterminationRevision = null;
        });

        _counter.Reset();
        var page = await _app.Http.GetAsync(offer);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(1, Count("GetEntity", "Assignments"));

        var (_, accepted) = await _app.Driver.FollowAndSubmitAsync(offer, new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        var determination = await _app.LinkAsync(caseNumber, $"{caseNumber}-A1-determination");
        var answers = SampleCaseDriver.DeterminationForm(SampleCaseDriver.LoadDetermination(TestEnvironment.SampleDetermination));
        var (_, submitted) = await _app.Driver.FollowAndSubmitAsync(determination, answers);
        Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        await _app.Driver.WaitForStatusAsync(_app.Runtime.BaseAddress, caseNumber, "Closed", TimeSpan.FromSeconds(60));
    }
}
