using System.Net;
using System.Text;
using System.Text.Json;
using Imr.Domain.Cases;
using Imr.Functions.Tests.Infrastructure;
using Imr.LocalRuntime.Demo;
using Microsoft.Playwright;

namespace Imr.Functions.Tests.Browser;

/// <summary>The staff status page in Chromium (JavaScript off) against the local runtime on Azurite.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class CaseStatusPageBrowserTests : IAsyncLifetime
{
    private RuntimeHarness _app = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private IPage _page = null!;

    public async Task InitializeAsync()
    {
        _app = await RuntimeHarness.StartAsync();
        (_playwright, _browser) = await ChromiumBrowser.LaunchAsync();
        _page = await _browser.NewPageAsync(new BrowserNewPageOptions { JavaScriptEnabled = false });
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _app.DisposeAsync();
    }

    private ILocator Heading(string name) => _page.GetByRole(AriaRole.Heading, new() { Name = name, Exact = true });

    [Fact]
    public async Task A_closed_case_shows_its_status_assignment_deadlines_audit_trail_and_every_letter_version()
    {
        var caseNumber = TestEnvironment.NewCaseNumber("P");
        await TestEnvironment.UploadSampleCaseAsync(caseNumber);
        await _app.Driver.FollowAndSubmitAsync(await _app.LinkAsync(caseNumber, $"{caseNumber}-A1-offer"), new Dictionary<string, string>());
        var sample = SampleCaseDriver.LoadDetermination(TestEnvironment.SampleDetermination);
        await _app.Driver.FollowAndSubmitAsync(await _app.LinkAsync(caseNumber, $"{caseNumber}-A1-determination"), SampleCaseDriver.DeterminationForm(sample));
        await _app.Driver.WaitForStatusAsync(_app.Runtime.BaseAddress, caseNumber, "Closed", TimeSpan.FromSeconds(60));
        // A correction whose reason carries markup: the page must show it as text.
        const string reason = "Pages corrected <script>alert(1)</script> & re-issued";
        var correction = JsonSerializer.Serialize(new { basedOnVersion = 1, reason, determination = sample with { Decisions = [sample.Decisions[0] with { Pages = "98-100" }] } }, CasePackage.JsonOptions);
        Assert.Equal(HttpStatusCode.Created, (await _app.Http.PostAsync($"/api/manage/cases/{caseNumber}/letters/corrections", new StringContent(correction, Encoding.UTF8, "application/json"))).StatusCode);

        var response = await _page.GotoAsync(new Uri(_app.Runtime.BaseAddress, $"api/cases/{caseNumber}/page").ToString());

        Assert.Equal(200, response!.Status);
        Assert.Equal($"Case {caseNumber}", await _page.TitleAsync());
        Assert.Equal("en", await _page.Locator("html").GetAttributeAsync("lang"));
        Assert.Equal(1, await _page.Locator("h1").CountAsync());
        var main = await _page.Locator("main").InnerTextAsync();
        Assert.Contains("Closed", main);
        Assert.Contains("Reviewer id", main);
        var reviewerId = (await _app.Cases.GetAsync(caseNumber))!.CurrentReviewerId!;
        Assert.Contains(reviewerId, main);
        Assert.DoesNotContain("Dr. Taylor Spine", main); // the reviewer's id, never the name
        Assert.Contains("Case due", main);
        Assert.True(await _page.Locator("table tbody tr").CountAsync() > 3, "the audit trail lists the case's steps");

        // Both versions, the latest first, each with its letter's section headings visible.
        foreach (var version in new[] { "Version 2 (correction)", "Version 1" })
        {
            var section = _page.GetByRole(AriaRole.Region, new() { Name = version, Exact = true });
            Assert.True(await section.IsVisibleAsync(), version);
            foreach (var heading in new[] { "HOW THE IMR FINAL DETERMINATION WAS MADE", "CLINICAL CASE SUMMARY", "IMR ISSUES, DECISIONS AND RATIONALES" })
            {
                Assert.True(await section.GetByRole(AriaRole.Heading, new() { Name = heading, Exact = true }).IsVisibleAsync(), $"{version}: {heading}");
            }
        }

        Assert.Contains(reason, await _page.GetByRole(AriaRole.Region, new() { Name = "Version 2 (correction)", Exact = true }).InnerTextAsync());
        Assert.Equal(0, await _page.Locator("main script").CountAsync());
        Assert.True(await Heading("Audit trail").IsVisibleAsync());
        Assert.True(await Heading("Deadlines").IsVisibleAsync());
    }

    [Fact]
    public async Task An_unknown_case_is_a_404_page()
    {
        var unknown = await _page.GotoAsync(new Uri(_app.Runtime.BaseAddress, $"api/cases/{TestEnvironment.NewCaseNumber("U")}/page").ToString());
        Assert.Equal(404, unknown!.Status);
        Assert.Equal("Case not found", await _page.TitleAsync());

        var malformed = await _page.GotoAsync(new Uri(_app.Runtime.BaseAddress, "api/cases/%3Cb%3Ex%3C%2Fb%3E/page").ToString());
        Assert.Equal(404, malformed!.Status);
        Assert.Equal(0, await _page.Locator("main b").CountAsync()); // the echoed case number is text
    }
}
