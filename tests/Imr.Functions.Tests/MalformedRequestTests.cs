using System.Text;
using Imr.Functions.Tests.Infrastructure;

namespace Imr.Functions.Tests;

/// <summary>
/// Every malformed request to a route that reads a body gets a 4xx answer, never a 500: over real HTTP on loopback
/// against the local runtime (Kestrel and the same function classes as in Azure).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class MalformedRequestTests
{
    private static ByteArrayContent Body(string text, string contentType)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return content;
    }

    /// <summary>The malformed bodies the issue measured (and a few more), each made fresh for every request.</summary>
    private static IEnumerable<(string What, Func<HttpContent> Make)> Bodies() =>
    [
        ("form value over 4 MB", () => Body("token=x&reason=" + new string('a', 4 * 1024 * 1024 + 16), "application/x-www-form-urlencoded")),
        ("1,025 form fields", () => Body(string.Join("&", Enumerable.Range(0, 1025).Select(i => $"f{i}=v")), "application/x-www-form-urlencoded")),
        ("form key over 2 KB", () => Body(new string('k', 3000) + "=v", "application/x-www-form-urlencoded")),
        ("multipart without a boundary", () => Body("--x\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\nabc\r\n--x--\r\n", "multipart/form-data")),
        ("multipart cut short", () => Body("--x\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\nabc", "multipart/form-data; boundary=x")),
        ("multipart value over 4 MB", () =>
        {
            var multipart = new MultipartFormDataContent("b0undary") { { new StringContent(new string('a', 4 * 1024 * 1024 + 16)), "reason" } };
            return multipart;
        }),
        ("JSON cut short", () => Body("{\"reviewerId\": ", "application/json")),
        ("JSON with a lone surrogate", () => Body("{\"outcome\": \"Eligible\", \"reason\": \"\\ud800\", \"reviewerId\": \"\\ud800\", \"basedOnVersion\": 1, \"determination\": {\"clinicalCaseSummary\": \"\\ud800\"}}", "application/json")),
        ("JSON that is not an object", () => Body("[1, 2, 3]", "application/json")),
    ];

    [Fact]
    public async Task Malformed_form_and_JSON_posts_to_every_body_reading_route_get_a_4xx_answer()
    {
        await using var app = await RuntimeHarness.StartAsync();
        var caseNumber = TestEnvironment.NewCaseNumber("B");
        string[] routes =
        [
            $"/api/reviewer/assignments/{caseNumber}-A1/accept",
            $"/api/reviewer/assignments/{caseNumber}-A1/decline",
            $"/api/reviewer/assignments/{caseNumber}-A1/determination",
            $"/api/manage/cases/{caseNumber}/assign",
            $"/api/cases/{caseNumber}/eligibility",
            $"/api/manage/cases/{caseNumber}/letters/corrections",
            "/api/manage/roster?dryRun=true",
        ];

        var failures = new List<string>();
        foreach (var route in routes)
        {
            foreach (var (what, make) in Bodies())
            {
                using var response = await app.Http.PostAsync(route, make());
                if ((int)response.StatusCode is < 400 or >= 500) failures.Add($"{route} with {what}: {(int)response.StatusCode}");
            }
        }

        Assert.Empty(failures);
        // A reviewer gets a page that says what happened, not a bare status.
        using var page = await app.Http.PostAsync(routes[0], Bodies().First().Make());
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("This form could not be read", await page.Content.ReadAsStringAsync());
    }
}
