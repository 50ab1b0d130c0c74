using System.Net;
using System.Text.RegularExpressions;
using Imr.Domain.Callbacks;
using Imr.Domain.Reviewers;
using Imr.Functions.Services;
using Imr.Functions.Storage;
using Imr.Functions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Imr.Functions.Tests.Browser;

/// <summary>The reviewer's pages in a real browser (Chromium, no JavaScript needed by the pages) against the local runtime on Azurite.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ReviewerPagesBrowserTests : IAsyncLifetime
{
    private RuntimeHarness _app = null!;
    private IBrowserContext _context = null!;
    private IPage _page = null!;

    public async Task InitializeAsync()
    {
        _context = await (await ChromiumBrowser.SharedAsync()).NewContextAsync(new BrowserNewContextOptions { JavaScriptEnabled = false });
        _page = await _context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        await _context.CloseAsync(); // the browser is shared by the test process
        if (_app is not null) await _app.DisposeAsync();
    }

    private async Task<string> StartCaseAsync(Action<Dictionary<string, string?>>? configure = null)
    {
        _app = await RuntimeHarness.StartAsync(configure: configure);
        var caseNumber = TestEnvironment.NewCaseNumber("B");
        await TestEnvironment.UploadSampleCaseAsync(caseNumber);
        return caseNumber;
    }

    private ILocator Field(string label) => _page.GetByLabel(label, new PageGetByLabelOptions { Exact = true });

    private async Task AssertEveryControlIsLabelledAsync()
    {
        Assert.Equal("en", await _page.Locator("html").GetAttributeAsync("lang"));
        Assert.Equal(1, await _page.Locator("h1").CountAsync());
        var controls = _page.Locator("input:not([type=hidden]), select, textarea");
        for (var i = 0; i < await controls.CountAsync(); i++)
        {
            var id = await controls.Nth(i).GetAttributeAsync("id");
            Assert.True(id is not null && await _page.Locator($"label[for='{id}']").CountAsync() == 1, $"control {id} has no label");
        }
    }

    [Fact]
    public async Task Accept_then_a_validation_error_keeps_what_was_typed_then_submit_issues_the_letter()
    {
        var caseNumber = await StartCaseAsync();
        var offer = await _app.LinkAsync(caseNumber, $"{caseNumber}-A1-offer");

        await _page.GotoAsync(offer.ToString());
        Assert.Equal($"Review offer: case {caseNumber}", await _page.TitleAsync());
        Assert.DoesNotContain("Sample Worker", await _page.ContentAsync()); // no needless PHI on the offer
        await AssertEveryControlIsLabelledAsync();
        await _page.GetByRole(AriaRole.Button, new() { Name = "Accept the assignment" }).ClickAsync();
        Assert.Contains("You have accepted this review", await _page.Locator("main").InnerTextAsync());

        var review = await _app.LinkAsync(caseNumber, $"{caseNumber}-A1-determination");
        await _page.GotoAsync(review.ToString());
        await AssertEveryControlIsLabelledAsync();
        Assert.Contains("54-year-old male", await _page.Locator("main").InnerTextAsync());
        var documentLink = new Uri(await _page.GetByRole(AriaRole.Link, new() { Name = "medical-records.txt" }).GetAttributeAsync("href") ?? "");
        using (var http = new HttpClient())
        {
            var document = await http.GetAsync(documentLink);
            Assert.Equal(HttpStatusCode.OK, document.StatusCode);
            Assert.Equal(await File.ReadAllTextAsync(Path.Combine(TestEnvironment.SampleCaseFolder, "medical-records.txt")), await document.Content.ReadAsStringAsync());
            Assert.Contains("sp=r", documentLink.Query); // read-only
            var write = new HttpRequestMessage(HttpMethod.Put, documentLink) { Content = new StringContent("overwrite") };
            write.Headers.Add("x-ms-blob-type", "BlockBlob");
            Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(write)).StatusCode);
        }

        // Incomplete: no decision, no pages. What was typed must come back with the messages.
        const string summary = "The injured worker is a 54-year-old male injured on 05/24/2011 by cumulative trauma. Ongoing low back pain.";
        const string rationale = "The MTUS recommends up to 10 visits; the requested 12 exceed it. As such, the request is not medically necessary.";
        await Field("Clinical case summary").FillAsync(summary);
        await Field("Guideline or evidence relied on").FillAsync("MTUS Chronic Pain Medical Treatment Guidelines, Physical Medicine");
        await Field("Decision rationale").FillAsync(rationale);
        await _page.GetByRole(AriaRole.Button, new() { Name = "Submit the determination" }).ClickAsync();

        Assert.StartsWith("Error: ", await _page.TitleAsync());
        var errorSummary = _page.GetByRole(AriaRole.Alert);
        Assert.Contains("There is a problem", await errorSummary.InnerTextAsync());
        Assert.Contains("Choose Upheld or Overturned", await errorSummary.InnerTextAsync());
        Assert.Contains("Enter the MTUS page(s)", await errorSummary.InnerTextAsync());
        Assert.Equal(summary, await Field("Clinical case summary").InputValueAsync());
        Assert.Equal(rationale, await Field("Decision rationale").InputValueAsync());
        Assert.Equal("MTUS Chronic Pain Medical Treatment Guidelines, Physical Medicine", await Field("Guideline or evidence relied on").InputValueAsync());
        Assert.Equal("true", await Field("Page(s)").GetAttributeAsync("aria-invalid"));
        Assert.Equal("InReview", (await _app.Cases.GetAsync(caseNumber))!.Status); // nothing submitted

        await _page.GetByLabel("Upheld — the treatment is not medically necessary").CheckAsync();
        await Field("Page(s)").FillAsync("98-99");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Submit the determination" }).ClickAsync();
        Assert.Contains("Your determination has been received", await _page.Locator("main").InnerTextAsync());

        var status = await _app.Driver.WaitForStatusAsync(_app.Runtime.BaseAddress, caseNumber, "Closed", TimeSpan.FromSeconds(60));
        var letterBlob = status.GetProperty("letter").GetProperty("blobName").GetString()!;
        var letter = (await RuntimeHarness.Blobs.GetBlobContainerClient(StorageNames.DeterminationsContainer).GetBlobClient(letterBlob).DownloadContentAsync()).Value.Content.ToString();
        Assert.Contains("12 Physical Therapy sessions for the lumbar spine: Upheld", Regex.Replace(letter, @"\s+", " "));
        Assert.Contains("the requested 12 exceed it", Regex.Replace(letter, @"\s+", " "));

        // Going back and submitting again shows the first result and changes nothing.
        await _page.GotoAsync(review.ToString());
        Assert.Equal("Already received", await _page.TitleAsync());
        // The first result names what was received, with the kind of evidence relied on.
        Assert.Contains("12 Physical Therapy sessions for the lumbar spine: Upheld. Evidence relied on: MTUS — Medical Treatment Utilization Schedule — MTUS Chronic Pain Medical Treatment Guidelines, Physical Medicine, page(s) 98-99.",
            await _page.Locator("blockquote").InnerTextAsync());
    }

    [Fact]
    public async Task Decline_with_a_declared_conflict_offers_the_case_to_the_next_reviewer_and_the_used_link_says_so()
    {
        var caseNumber = await StartCaseAsync();
        var offer = await _app.LinkAsync(caseNumber, $"{caseNumber}-A1-offer");

        await _page.GotoAsync(offer.ToString());
        // A declared conflict without its party: the message, and the reason kept.
        await Field("Why you decline").FillAsync("I have consulted for the employer.");
        await _page.GetByLabel("I have a material professional, familial or financial affiliation with a party to this case").CheckAsync();
        await Field("Kind of affiliation").SelectOptionAsync("Employer");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Decline the assignment" }).ClickAsync();
        Assert.Contains("Enter the party you are affiliated with", await _page.GetByRole(AriaRole.Alert).InnerTextAsync());
        Assert.Equal("I have consulted for the employer.", await Field("Why you decline").InputValueAsync());
        Assert.Equal("Employer", await Field("Kind of affiliation").InputValueAsync());

        await Field("The party (as named in the case)").FillAsync("Sample Manufacturing Co.");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Decline the assignment" }).ClickAsync();
        Assert.Contains("You have declined this review", await _page.Locator("main").InnerTextAsync());

        var next = await _app.LinkAsync(caseNumber, $"{caseNumber}-A2-offer");
        var nextMail = (await RuntimeHarness.Blobs.GetBlobContainerClient(StorageNames.OutboxContainer).GetBlobClient(Outbox.BlobName(caseNumber, $"{caseNumber}-A2-offer")).DownloadContentAsync()).Value.Content.ToString();
        Assert.Contains("rev-003@reviewers.example", nextMail);
        var first = (await _app.Cases.GetAssignmentAsync(caseNumber, $"{caseNumber}-A1"))!;
        Assert.Equal(("Declined", "I have consulted for the employer."), (first.Status, first.DeclineReason));
        var roster = _app.Runtime.Services.GetRequiredService<RosterStore>();
        Assert.Contains(new Affiliation(AffiliationKind.Employer, "Sample Manufacturing Co."), (await roster.GetAsync("rev-002"))!.Affiliations);

        // The first reviewer's link, used: its own page with the first result. The next reviewer's works.
        await _page.GotoAsync(offer.ToString());
        Assert.Equal("Already received", await _page.TitleAsync());
        Assert.Contains("You have declined this review", await _page.Locator("main").InnerTextAsync());
        await _page.GotoAsync(next.ToString());
        Assert.Equal($"Review offer: case {caseNumber}", await _page.TitleAsync());
    }

    [Fact]
    public async Task A_superseded_or_tampered_link_shows_its_own_page_and_changes_nothing()
    {
        var caseNumber = await StartCaseAsync(s => s["Imr:AcceptanceWindow"] = "00:00:02");
        var offer = await _app.LinkAsync(caseNumber, $"{caseNumber}-A1-offer");
        await _app.LinkAsync(caseNumber, $"{caseNumber}-A2-offer"); // the first offer timed out

        var superseded = await _page.GotoAsync(offer.ToString());
        Assert.Equal(410, superseded!.Status);
        Assert.Equal("This assignment has ended", await _page.TitleAsync());

        var token = Regex.Match(offer.Query, "token=([^&]+)").Groups[1].Value;
        var tampered = await _page.GotoAsync(offer.ToString().Replace(token, token[..^4] + (token.EndsWith("AAAA") ? "BBBB" : "AAAA")));
        Assert.Equal(403, tampered!.Status);
        Assert.Equal("This link is not valid", await _page.TitleAsync());

        var a1 = (await _app.Cases.GetAssignmentAsync(caseNumber, $"{caseNumber}-A1"))!;
        Assert.Equal("TimedOut", a1.Status);
        Assert.Equal($"{caseNumber}-A2", (await _app.Cases.GetAsync(caseNumber))!.CurrentAssignmentId);
    }

    [Fact]
    public async Task An_expired_link_shows_its_own_page_and_changes_nothing()
    {
        var caseNumber = await StartCaseAsync(s => s["Imr:AcceptanceWindow"] = "1.00:00:00");
        var offer = await _app.LinkAsync(caseNumber, $"{caseNumber}-A1-offer");
        var assignment = (await _app.Cases.GetAssignmentAsync(caseNumber, $"{caseNumber}-A1"))!;
        // A genuine link (the runtime's own signing keys) for the current offer, whose expiry has passed.
        var links = _app.Runtime.Services.GetRequiredService<CallbackLinks>();
        var expired = new Uri(links.For(new CallbackClaims(caseNumber, assignment.RowKey, assignment.ReviewerId, CallbackAction.Accept, DateTimeOffset.UtcNow.AddMinutes(-1))));
        Assert.Equal(offer.AbsolutePath, expired.AbsolutePath);

        var page = await _page.GotoAsync(expired.ToString());
        Assert.Equal(410, page!.Status);
        Assert.Equal("This link has expired", await _page.TitleAsync());
        Assert.Contains("Nothing was changed", await _page.Locator("main").InnerTextAsync());
        Assert.Equal(0, await _page.Locator("form").CountAsync()); // nothing to submit from it

        // The form posted with the expired token (a page opened before the expiry, sent after it) is refused the same way.
        var token = Regex.Match(expired.Query, "token=([^&]+)").Groups[1].Value;
        var posted = await _app.Http.PostAsync(new Uri(expired.GetLeftPart(UriPartial.Path)), new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = Uri.UnescapeDataString(token) }));
        Assert.Equal(HttpStatusCode.Gone, posted.StatusCode);
        Assert.Contains("This link has expired", await posted.Content.ReadAsStringAsync());

        var caseEntity = (await _app.Cases.GetAsync(caseNumber))!;
        Assert.Equal(("AwaitingAcceptance", $"{caseNumber}-A1"), (caseEntity.Status, caseEntity.CurrentAssignmentId));
        Assert.Equal("Offered", (await _app.Cases.GetAssignmentAsync(caseNumber, $"{caseNumber}-A1"))!.Status);
        Assert.Null(await _app.Runtime.Services.GetRequiredService<CallbackUses>().FirstResultAsync($"{caseNumber}-A1", "accept"));
        Assert.DoesNotContain(await _app.Runtime.Services.GetRequiredService<AuditLog>().ForCaseAsync(caseNumber), t => t.StepId.Contains("-link-"));

        // The genuine, unexpired link still works: the expired one used nothing up.
        await _page.GotoAsync(offer.ToString());
        Assert.Equal($"Review offer: case {caseNumber}", await _page.TitleAsync());
    }
}
