using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Imr.Functions.Tests.Browser;

/// <summary>Debian's Chromium driven by Playwright (the package's bundled driver; Playwright's browser download is never used).</summary>
public static class ChromiumBrowser
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private static readonly Lazy<Task<(IPlaywright Playwright, IBrowser Browser)>> s_shared = new(LaunchSharedAsync);

    /// <summary>
    /// The test process's one Chromium (with its Playwright driver), launched at the first use. Every browser test runs in
    /// browser contexts of its own (own cookies, own pages) and closes them; launching a driver and a browser per test
    /// cost the browser shard about a third of its time on two cores. The driver stops the browser when the process ends.
    /// </summary>
    public static async Task<IBrowser> SharedAsync() => (await s_shared.Value).Browser;

    private static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchSharedAsync()
    {
        var launched = await LaunchAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            launched.Browser.CloseAsync().Wait(TimeSpan.FromSeconds(5));
            launched.Playwright.Dispose();
        };
        return launched;
    }

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"{ExecutablePath} is missing: run ./test.sh (it installs Debian's chromium) or apt-get install -y chromium.");
        }

        var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"],
        });
        return (playwright, browser);
    }

    /// <summary>axe-core over the page: every violation named with its nodes.</summary>
    public static async Task AssertNoAxeViolationsAsync(IPage page)
    {
        var result = await page.RunAxe();
        Assert.True(result.Violations.Length == 0, $"{page.Url}: " + string.Join("; ", result.Violations.Select(v => $"{v.Id}: {v.Help} ({string.Join(", ", v.Nodes.Select(n => string.Join(" ", n.Target)))})")));
    }
}
