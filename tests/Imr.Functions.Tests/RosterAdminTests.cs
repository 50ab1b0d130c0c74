using System.Net;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Imr.Domain.Reviewers;
using Imr.Functions.Storage;
using Imr.Functions.Tests.Infrastructure;
using Imr.Functions.Workflow;
using Microsoft.Extensions.DependencyInjection;

namespace Imr.Functions.Tests;

/// <summary>Staff routes and the roster container, through the local runtime on Azurite.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class RosterAdminTests : IAsyncLifetime
{
    private RuntimeHarness _app = null!;

    public async Task InitializeAsync() => _app = await RuntimeHarness.StartAsync(configure: s =>
    {
        s["Imr:AcceptanceWindow"] = "00:00:01";
        s["Imr:MaxOfferRounds"] = "1";
    });

    public async Task DisposeAsync() => await _app.DisposeAsync(); // waits for the durable worker first (RuntimeHarness)

    private RosterStore Roster => _app.Runtime.Services.GetRequiredService<RosterStore>();

    private const string Header = "reviewerId,name,email,specialties,boardCertifications,licensedStates,yearsInPractice,activePracticeHoursPerWeek,affiliations,capacity,active,timeZone";

    [Fact]
    public async Task A_csv_import_over_the_admin_route_reports_what_changed_and_a_bad_file_changes_nothing()
    {
        var csv = string.Join("\n", Header,
            "rev-002,Dr. Taylor Spine,rev-002@reviewers.example,Orthopedic Spine Surgery;Orthopedic Surgery,Orthopedic Spine Surgery,Texas,7,24,,6,true,America/Denver",
            "rev-010,Dr. New Hand,rev-010@reviewers.example,Hand Surgery,Hand Surgery,California,9,30,Facility:Example Hand Center,5,true,America/Los_Angeles");

        var dryRun = await _app.Http.PostAsync("/api/manage/roster?dryRun=true", new StringContent(csv, Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, dryRun.StatusCode);
        Assert.Null(await Roster.GetAsync("rev-010"));

        var response = await _app.Http.PostAsync("/api/manage/roster", new StringContent(csv, Encoding.UTF8, "text/csv"));
        var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(report.GetProperty("applied").GetBoolean());
        Assert.Equal((1, 1), (report.GetProperty("added").GetInt32(), report.GetProperty("updated").GetInt32()));
        Assert.Equal("capacity, timeZone", string.Join(", ", report.GetProperty("changes").EnumerateArray().Single(c => c.GetProperty("reviewerId").GetString() == "rev-002").GetProperty("fields").EnumerateArray().Select(f => f.GetString())));
        Assert.Equal((6, "America/Denver"), ((await Roster.GetAsync("rev-002"))!.Capacity, (await Roster.GetAsync("rev-002"))!.TimeZone));
        Assert.Equal(new Affiliation(AffiliationKind.Facility, "Example Hand Center"), Assert.Single((await Roster.GetAsync("rev-010"))!.Affiliations));

        var bad = await _app.Http.PostAsync("/api/manage/roster", new StringContent(string.Join("\n", Header,
            "rev-002,Dr. Taylor Spine,rev-002@reviewers.example,Orthopedic Spine Surgery,Orthopedic Spine Surgery,Texas,7,24,,99,true,America/Chicago",
            "rev-011,,nobody,,,,,,,,,"), Encoding.UTF8, "text/csv"));
        var badReport = JsonDocument.Parse(await bad.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.False(badReport.GetProperty("applied").GetBoolean());
        Assert.Equal(3, badReport.GetProperty("problems")[0].GetProperty("row").GetInt32());
        Assert.Equal(6, (await Roster.GetAsync("rev-002"))!.Capacity); // the valid row was not applied either
    }

    [Fact]
    public async Task A_json_roster_dropped_in_the_roster_container_is_imported_and_its_report_written_beside_it()
    {
        var name = $"imports/{Guid.NewGuid():N}.json";
        var json = """[{"reviewerId":"rev-020","name":"Dr. Blob Import","email":"rev-020@reviewers.example","specialties":["Psychiatry"],"boardCertifications":["Psychiatry"],"licensedStates":["California"],"yearsInPractice":5,"activePracticeHoursPerWeek":30,"timeZone":"America/Denver"}]""";
        var container = RuntimeHarness.Blobs.GetBlobContainerClient(StorageNames.RosterContainer);
        await container.CreateIfNotExistsAsync();
        await container.GetBlobClient(name).UploadAsync(BinaryData.FromString(json));

        var report = await TestEnvironment.EventuallyAsync(async () =>
            (await container.GetBlobClient($"reports/{name}.report.json").ExistsAsync()).Value ? (await container.GetBlobClient($"reports/{name}.report.json").DownloadContentAsync()).Value.Content.ToString() : null,
            TimeSpan.FromSeconds(30), "the import report");

        Assert.Contains("\"added\": 1", report);
        Assert.Equal("America/Denver", (await Roster.GetAsync("rev-020"))!.TimeZone);
    }

    [Fact]
    public async Task The_medical_director_assigns_by_hand_and_a_conflicted_choice_is_refused_with_reasons()
    {
        var caseNumber = TestEnvironment.NewCaseNumber("M");
        await TestEnvironment.UploadSampleCaseAsync(caseNumber);
        // One round, not accepted within 1 s: escalated.
        await TestEnvironment.EventuallyAsync(async () => (await _app.Cases.GetAsync(caseNumber))?.Status == "AwaitingManualAssignment" ? "yes" : null, TimeSpan.FromSeconds(60), "the escalation");
        var escalationBlob = RuntimeHarness.Blobs.GetBlobContainerClient(StorageNames.OutboxContainer).GetBlobClient(Outbox.BlobName(caseNumber, "escalation-MedicalDirector"));
        await TestEnvironment.EventuallyAsync(async () => (await escalationBlob.ExistsAsync()).Value ? "yes" : null, TimeSpan.FromSeconds(30), "the escalation mail");
        var escalation = (await RuntimeHarness.Blobs.GetBlobContainerClient(StorageNames.OutboxContainer).GetBlobClient(Outbox.BlobName(caseNumber, "escalation-MedicalDirector")).DownloadContentAsync()).Value.Content.ToString();
        Assert.DoesNotContain("code=", escalation); // no key in the mail

        var conflicted = await _app.Http.PostAsync($"/api/manage/cases/{caseNumber}/assign", new FormUrlEncodedContent(new Dictionary<string, string> { ["reviewerId"] = "rev-001" }));
        Assert.Equal(HttpStatusCode.Conflict, conflicted.StatusCode);
        Assert.Contains("claims administrator", await conflicted.Content.ReadAsStringAsync());
        var unknown = await _app.Http.PostAsync($"/api/manage/cases/{caseNumber}/assign", new FormUrlEncodedContent(new Dictionary<string, string> { ["reviewerId"] = "rev-999" }));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);

        Assert.Equal(2, (await _app.Cases.GetAsync(caseNumber))!.ManualAssignmentRound); // one offer round, then the awaited round 2

        // A double click: two POSTs at once. One raises the event; the other answers with the first one's result.
        FormUrlEncodedContent Choice() => new(new Dictionary<string, string> { ["reviewerId"] = "rev-002", ["assignedBy"] = "Dr. Medical Director" });
        var both = await Task.WhenAll(_app.Http.PostAsync($"/api/manage/cases/{caseNumber}/assign", Choice()), _app.Http.PostAsync($"/api/manage/cases/{caseNumber}/assign", Choice()));
        Assert.All(both, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        var answers = await Task.WhenAll(both.Select(async r => JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement));
        Assert.All(answers, a => Assert.Equal(("rev-002", 2), (a.GetProperty("reviewerId").GetString(), a.GetProperty("round").GetInt32())));
        Assert.Equal(1, answers.Count(a => a.TryGetProperty("repeated", out var repeated) && repeated.GetBoolean()));
        await _app.LinkAsync(caseNumber, $"{caseNumber}-A2-determination");
        var entity = (await _app.Cases.GetAsync(caseNumber))!;
        Assert.Equal(("InReview", $"{caseNumber}-A2", "rev-002"), (entity.Status, entity.CurrentAssignmentId, entity.CurrentReviewerId));
        Assert.Equal(1, await ManualAssignmentEventsAsync(caseNumber)); // nothing left buffered for a later manual-assignment wait

        // A retry after the assignment still gets the first answer, and raises nothing.
        var retry = await _app.Http.PostAsync($"/api/manage/cases/{caseNumber}/assign", Choice());
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        Assert.True(JsonDocument.Parse(await retry.Content.ReadAsStringAsync()).RootElement.GetProperty("repeated").GetBoolean());
        var again = await _app.Http.PostAsync($"/api/manage/cases/{caseNumber}/assign", new FormUrlEncodedContent(new Dictionary<string, string> { ["reviewerId"] = "rev-003" }));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("already assigned by hand to reviewer rev-002", await again.Content.ReadAsStringAsync());
        Assert.Equal(1, await ManualAssignmentEventsAsync(caseNumber));
    }

    /// <summary>ManualAssignment events the orchestration received, from the task hub's history table (Azure Storage provider).</summary>
    private async Task<int> ManualAssignmentEventsAsync(string caseNumber)
    {
        var history = new TableClient(TestEnvironment.StorageConnectionString, $"{_app.Settings["LocalRuntime:TaskHub"]}History");
        var count = 0;
        await foreach (var row in history.QueryAsync<TableEntity>(e => e.PartitionKey == $"case-{caseNumber}"))
        {
            if (row.GetString("EventType") == "EventRaised" && row.GetString("Name") == AssignmentEvents.ManualAssignment) count++;
        }

        return count;
    }
}
