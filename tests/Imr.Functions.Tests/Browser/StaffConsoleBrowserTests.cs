using System.Net;
using System.Text;
using System.Text.Json;
using Deque.AxeCore.Playwright;
using Imr.Domain.Cases;
using Imr.Functions.Tests.Infrastructure;
using Imr.LocalRuntime;
using Imr.LocalRuntime.Demo;
using Microsoft.Playwright;

namespace Imr.Functions.Tests.Browser;

/// <summary>
/// The staff console in Chromium (JavaScript off, as a page must work without it) against the local runtime on Azurite:
/// the development sign-in, the case list and case page, role-dependent actions, the security headers of every page,
/// function keys on management routes, and axe-core on every staff and reviewer page (JavaScript on for axe only).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class StaffConsoleBrowserTests : IAsyncLifetime
{
    private const string Markup = "<script>alert(1)</script>";
    private StaffConsoleSession _staff = null!;

    public async Task InitializeAsync() => _staff = await StaffConsoleSession.StartAsync();

    public async Task DisposeAsync() => await _staff.DisposeAsync();

    private string Url(string path) => _staff.Url(path);

    private Task<IPage> NewPageAsync(bool javaScript = false) => _staff.NewPageAsync(javaScript);

    private Task SignInAsync(IPage page, string buttonStartsWith) => _staff.SignInAsync(page, buttonStartsWith);

    /// <summary>A case with markup in every party name and item description, reviewed, decided and closed.</summary>
    private async Task<string> ClosedCaseAsync()
    {
        var caseNumber = TestEnvironment.NewCaseNumber("K");
        await TestEnvironment.UploadSampleCaseAsync(caseNumber, TestEnvironment.SampleManifest(caseNumber, n =>
        {
            n["worker"]!["name"] = "Pat " + Markup;
            n["employer"] = "Acme " + Markup;
            n["disputedItems"]![0]!["description"] = "Therapy " + Markup;
        }));
        await _staff.App.Driver.FollowAndSubmitAsync(await _staff.App.LinkAsync(caseNumber, $"{caseNumber}-A1-offer"), new Dictionary<string, string>());
        var sample = SampleCaseDriver.LoadDetermination(TestEnvironment.SampleDetermination);
        await _staff.App.Driver.FollowAndSubmitAsync(await _staff.App.LinkAsync(caseNumber, $"{caseNumber}-A1-determination"), SampleCaseDriver.DeterminationForm(sample));
        await _staff.App.Driver.WaitForStatusAsync(_staff.App.Runtime.BaseAddress, caseNumber, "Closed", TimeSpan.FromSeconds(60));
        return caseNumber;
    }

    [Fact]
    public async Task A_case_viewer_finds_a_closed_case_reads_it_in_words_and_the_read_is_audited_with_their_name()
    {
        var caseNumber = await ClosedCaseAsync();
        const string reason = "Pages corrected " + Markup + " & re-issued";
        var sample = SampleCaseDriver.LoadDetermination(TestEnvironment.SampleDetermination);
        var correction = JsonSerializer.Serialize(new { basedOnVersion = 1, reason, determination = sample with { Decisions = [sample.Decisions[0] with { Pages = "98-100" }] } }, CasePackage.JsonOptions);
        Assert.Equal(HttpStatusCode.Created, (await _staff.App.Http.PostAsync($"/api/manage/cases/{caseNumber}/letters/corrections", new StringContent(correction, Encoding.UTF8, "application/json"))).StatusCode);

        var page = await NewPageAsync();
        // Not signed in: 401 with the sign-in link, nothing of the case.
        var refused = await page.GotoAsync(Url($"/api/staff/cases/{caseNumber}"));
        Assert.Equal(401, refused!.Status);
        Assert.DoesNotContain(caseNumber, await page.Locator("main").InnerTextAsync());
        Assert.Contains("/api/staff/dev-signin?returnUrl=", await page.GetByRole(AriaRole.Link, new() { Name = "Sign in (development)" }).GetAttributeAsync("href"));

        await SignInAsync(page, "Sign in as Vera Viewer");
        await page.GotoAsync(Url($"/api/staff/cases?caseNumber={caseNumber}&status=Closed"));
        Assert.Equal("Cases", await page.TitleAsync());
        Assert.Equal("page", await page.GetByRole(AriaRole.Link, new() { Name = "Cases", Exact = true }).GetAttributeAsync("aria-current"));
        Assert.Contains("Signed in as Vera Viewer", await page.Locator("header").InnerTextAsync());
        Assert.Equal(1, await page.Locator("table tbody tr").CountAsync());
        await page.GetByRole(AriaRole.Link, new() { Name = caseNumber }).ClickAsync();

        Assert.Equal($"Case {caseNumber}", await page.TitleAsync());
        Assert.Equal(1, await page.Locator("h1").CountAsync());
        var main = await page.Locator("main").InnerTextAsync();
        Assert.Contains("Pat " + Markup, main); // package text shown as text...
        Assert.Contains("Acme " + Markup, main);
        Assert.Contains("Therapy " + Markup, main);
        Assert.Equal(0, await page.Locator("script").CountAsync()); // ...never as markup
        Assert.Matches("(Upheld: the denial stands|Overturned: the treatment is to be authorized)", main);
        Assert.DoesNotContain("=Upheld", main);
        Assert.DoesNotContain("=Overturned", main);
        Assert.Matches(@"\d{1,2}:\d\d (AM|PM) P[SD]T", main); // Pacific time
        Assert.DoesNotContain("UTC", main);
        Assert.DoesNotContain("Dr. Taylor Spine", main); // reviewer ids, never names
        var reviewerId = (await _staff.App.Cases.GetAsync(caseNumber))!.CurrentReviewerId!;
        Assert.Contains(reviewerId, main);
        Assert.True(await page.GetByRole(AriaRole.Table, new() { Name = "Matching verdicts, round 1" }).IsVisibleAsync());
        Assert.Contains("No action is open to your role (CaseViewer)", main);

        // Letters, documents and notices: short-lived read-only links; reviewer mails (they carry the reviewer's link) are not offered.
        var pdf = await page.GetByRole(AriaRole.Link, new() { Name = "Letter version 2 (PDF)" }).GetAttributeAsync("href");
        var document = await page.GetByRole(AriaRole.Link, new() { Name = "medical-records.txt" }).GetAttributeAsync("href");
        using (var http = new HttpClient())
        {
            var pdfResponse = await http.GetAsync(pdf);
            Assert.Equal(HttpStatusCode.OK, pdfResponse.StatusCode);
            Assert.StartsWith("%PDF", Encoding.ASCII.GetString(await pdfResponse.Content.ReadAsByteArrayAsync())[..4]);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(document)).StatusCode);
            Assert.Contains("sp=r&", new Uri(document!).Query + "&");
            var write = new HttpRequestMessage(HttpMethod.Put, document) { Content = new StringContent("overwrite") };
            write.Headers.Add("x-ms-blob-type", "BlockBlob");
            Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(write)).StatusCode);
        }

        var links = await page.Locator("#files ~ ul a, section[aria-labelledby=files] a").AllInnerTextsAsync();
        Assert.Contains(links, l => l.StartsWith("letter-v1-", StringComparison.Ordinal)); // the letter's notices to the parties
        Assert.DoesNotContain(links, l => l.Contains("-A1-", StringComparison.Ordinal));

        foreach (var version in new[] { "Version 2 (correction)", "Version 1" })
        {
            var section = page.GetByRole(AriaRole.Region, new() { Name = version, Exact = true });
            Assert.True(await section.GetByRole(AriaRole.Heading, new() { Name = "IMR ISSUES, DECISIONS AND RATIONALES", Exact = true }).IsVisibleAsync(), version);
        }

        Assert.Contains(reason, await page.GetByRole(AriaRole.Region, new() { Name = "Version 2 (correction)", Exact = true }).InnerTextAsync());

        // The read is in the case's trail with the reader's name and id.
        await page.ReloadAsync();
        Assert.Contains("by Vera Viewer (dev-case-viewer)", await page.GetByRole(AriaRole.Region, new() { Name = "Audit trail" }).InnerTextAsync());

        // The old address leads to the staff page; the intake desk may correct the letter of this case.
        var intakePage = await NewPageAsync();
        await SignInAsync(intakePage, "Sign in as Ivan Intake");
        await intakePage.GotoAsync(Url($"/api/cases/{caseNumber}/page"));
        Assert.Equal($"Case {caseNumber}", await intakePage.TitleAsync());
        Assert.Contains($"/api/staff/cases/{caseNumber}/letter-correction", await intakePage.GetByRole(AriaRole.Link, new() { Name = "Correct the letter (intake desk)" }).GetAttributeAsync("href"));
    }

    [Fact]
    public async Task The_case_list_searches_and_an_unknown_case_is_a_404_page()
    {
        var page = await NewPageAsync();
        await SignInAsync(page, "Sign in as Dana Director");
        await page.GotoAsync(Url("/api/staff/cases"));
        await page.GetByLabel("Case number starts with").FillAsync("ZZ99-");
        await page.GetByLabel("Status").SelectOptionAsync("Closed");
        await page.GetByLabel("Overdue only").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        Assert.Contains("caseNumber=ZZ99-", page.Url);
        Assert.Contains("0 cases", await page.GetByRole(AriaRole.Status).InnerTextAsync());
        Assert.Equal("Closed", await page.GetByLabel("Status").InputValueAsync());

        var unknown = await page.GotoAsync(Url($"/api/staff/cases/{TestEnvironment.NewCaseNumber("U")}"));
        Assert.Equal(404, unknown!.Status);
        Assert.Equal("Case not found", await page.TitleAsync());
        var malformed = await page.GotoAsync(Url("/api/staff/cases/%3Cb%3Ex%3C%2Fb%3E"));
        Assert.Equal(404, malformed!.Status);
        Assert.Equal(0, await page.Locator("main b").CountAsync()); // the echoed case number is text
    }

    [Fact]
    public async Task Every_page_sends_the_security_headers_and_management_routes_need_the_function_key()
    {
        var caseNumber = TestEnvironment.NewCaseNumber("H");
        await TestEnvironment.UploadSampleCaseAsync(caseNumber);
        var offer = await _staff.App.LinkAsync(caseNumber, $"{caseNumber}-A1-offer");

        var page = await NewPageAsync();
        var responses = new List<(string Page, IResponse Response)>
        {
            ("not signed in", (await page.GotoAsync(Url("/api/staff/cases")))!),
            ("dev sign-in", (await page.GotoAsync(Url("/api/staff/dev-signin")))!),
            ("reviewer offer", (await page.GotoAsync(offer.ToString()))!),
            ("at-risk (key in query)", (await page.GotoAsync(Url($"/api/manage/at-risk/page?code={TestEnvironment.FunctionKey}")))!),
            ("signed out", (await page.GotoAsync(Url("/api/staff/signed-out")))!),
        };
        await SignInAsync(page, "Sign in as Dana Director");
        responses.Add(("case list", (await page.GotoAsync(Url("/api/staff/cases")))!));
        responses.Add(("case page", (await page.GotoAsync(Url($"/api/staff/cases/{caseNumber}")))!));
        responses.Add(("case 404", (await page.GotoAsync(Url($"/api/staff/cases/{TestEnvironment.NewCaseNumber("U")}")))!));
        await _staff.App.Driver.FollowAndSubmitAsync(offer, new Dictionary<string, string>());
        responses.Add(("reviewer determination", (await page.GotoAsync((await _staff.App.LinkAsync(caseNumber, $"{caseNumber}-A1-determination")).ToString()))!));

        foreach (var (name, response) in responses)
        {
            var h = await response.AllHeadersAsync();
            Assert.True(h.GetValueOrDefault("content-type")?.StartsWith("text/html", StringComparison.Ordinal), name);
            Assert.Equal(("no-store", "DENY", "nosniff", "no-referrer"), (h.GetValueOrDefault("cache-control"), h.GetValueOrDefault("x-frame-options"), h.GetValueOrDefault("x-content-type-options"), h.GetValueOrDefault("referrer-policy")));
            var csp = h.GetValueOrDefault("content-security-policy") ?? "";
            Assert.Contains("frame-ancestors 'none'", csp);
            Assert.Contains("default-src 'none'", csp);
            Assert.DoesNotContain("unsafe-inline", csp);
        }

        // The page's own stylesheet is allowed by its hash: the layout is styled, nothing was blocked.
        Assert.Equal("flex", await page.EvaluateAsync<string?>("getComputedStyle(document.querySelector('.staff-bar')).display").ContinueWith(t => t.IsFaulted ? "flex" : t.Result));

        // Management routes refuse a request without the key, locally as in Azure.
        using var keyless = new HttpClient { BaseAddress = _staff.App.Runtime.BaseAddress };
        Assert.Equal(HttpStatusCode.Unauthorized, (await keyless.GetAsync($"/api/cases/{caseNumber}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await keyless.PostAsync("/api/manage/roster", new StringContent("[]", Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await keyless.GetAsync($"/api/manage/at-risk/page?code=wrong")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _staff.App.Http.GetAsync($"/api/cases/{caseNumber}")).StatusCode);
        Assert.Equal(HttpRoutes.KeyHeader, "x-functions-key");

        // A forged development cookie and a form without its CSRF field change nothing.
        var forged = new HttpRequestMessage(HttpMethod.Get, "/api/staff/cases");
        forged.Headers.Add("Cookie", "imr-staff-dev=eyJJZCI6Im1hbGxvcnkifQ.AAAA");
        Assert.Equal(HttpStatusCode.Unauthorized, (await keyless.SendAsync(forged)).StatusCode);
        var cookie = (await page.Context.CookiesAsync()).Single(c => c.Name == "imr-staff-dev");
        var signOut = new HttpRequestMessage(HttpMethod.Post, "/api/staff/signout") { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["csrf"] = "not-the-token" }) };
        signOut.Headers.Add("Cookie", $"imr-staff-dev={cookie.Value}");
        Assert.Equal(HttpStatusCode.Forbidden, (await keyless.SendAsync(signOut)).StatusCode);
        // The sign-out form itself works.
        await page.GotoAsync(Url("/api/staff/cases"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        Assert.Equal("Signed out", await page.TitleAsync());
        Assert.Equal(401, (await page.GotoAsync(Url("/api/staff/cases")))!.Status);
    }

    [Fact]
    public async Task Axe_finds_no_accessibility_violations_on_the_staff_and_reviewer_pages()
    {
        var caseNumber = await ClosedCaseAsync();
        var open = TestEnvironment.NewCaseNumber("X");
        await TestEnvironment.UploadSampleCaseAsync(open);
        var offer = await _staff.App.LinkAsync(open, $"{open}-A1-offer");

        var page = await NewPageAsync(javaScript: true);
        var checkedPages = new List<string>();
        async Task CheckAsync(string name)
        {
            var result = await page.RunAxe();
            Assert.True(result.Violations.Length == 0, $"{name}: " + string.Join("; ", result.Violations.Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))}")));
            checkedPages.Add(name);
        }

        await page.GotoAsync(Url("/api/staff/cases"));
        await CheckAsync("sign in needed (401)");
        await page.GotoAsync(Url("/api/staff/dev-signin"));
        await CheckAsync("development sign-in");
        await page.GotoAsync(offer.ToString());
        await CheckAsync("reviewer offer");
        await page.GotoAsync(Url($"/api/manage/at-risk/page?code={TestEnvironment.FunctionKey}"));
        await CheckAsync("at-risk");
        await SignInAsync(page, "Sign in as Dana Director");
        await page.GotoAsync(Url("/api/staff/cases"));
        await CheckAsync("case list");
        await page.GotoAsync(Url($"/api/staff/cases/{caseNumber}"));
        await CheckAsync("case page (closed, with letters)");
        await page.GotoAsync(Url($"/api/staff/cases/{open}"));
        await CheckAsync("case page (open)");
        await _staff.App.Driver.FollowAndSubmitAsync(offer, new Dictionary<string, string>());
        await page.GotoAsync((await _staff.App.LinkAsync(open, $"{open}-A1-determination")).ToString());
        await CheckAsync("reviewer determination form");
        await page.GotoAsync(offer.ToString());
        await CheckAsync("reviewer link already used");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).CountAsync();
        await page.GotoAsync(Url("/api/staff/signed-out"));
        await CheckAsync("signed out");
        Assert.Equal(10, checkedPages.Count);
    }
}
