using Imr.Functions.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Imr.Functions.Tests.Browser;

/// <summary>
/// What a staff browser test needs: a local runtime on Azurite with the development sign-in on, Chromium, and the two
/// ways to sign in. A staff browser test class starts one per test and disposes it after:
/// <code>
/// public sealed class StaffXBrowserTests : IAsyncLifetime
/// {
///     private StaffConsoleSession _staff = null!;
///     public async Task InitializeAsync() => _staff = await StaffConsoleSession.StartAsync();
///     public async Task DisposeAsync() => await _staff.DisposeAsync();
///     ... var page = await _staff.SignInAsync("md-1", "Dana Director", "MedicalDirector", "/api/staff/x");
/// }
/// </code>
/// </summary>
public sealed class StaffConsoleSession : IAsyncDisposable
{
    private readonly List<IBrowserContext> _contexts = [];

    private StaffConsoleSession(RuntimeHarness app, IBrowser browser)
    {
        App = app;
        Browser = browser;
    }

    /// <summary>The local runtime (its HTTP client, cases, services).</summary>
    public RuntimeHarness App { get; }

    /// <summary>The test process's shared Chromium (<see cref="ChromiumBrowser.SharedAsync"/>): open contexts with <see cref="NewPageAsync"/>.</summary>
    public IBrowser Browser { get; }

    /// <summary>Starts the runtime with <c>Staff:DevSignIn</c> on (plus the class's own settings), with the shared Chromium.</summary>
    public static async Task<StaffConsoleSession> StartAsync(Action<Dictionary<string, string?>>? configure = null)
    {
        var app = await RuntimeHarness.StartAsync(configure: s =>
        {
            s["Staff:DevSignIn"] = "true";
            configure?.Invoke(s);
        });
        try
        {
            return new StaffConsoleSession(app, await ChromiumBrowser.SharedAsync());
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>An absolute URL of the runtime for a path such as <c>/api/staff/cases</c>.</summary>
    public string Url(string path) => new Uri(App.Runtime.BaseAddress, path.TrimStart('/')).ToString();

    /// <summary>A page in a browser context of its own (its own cookies: signed out). JavaScript on only where axe needs it.</summary>
    public async Task<IPage> NewPageAsync(bool javaScript = false)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { JavaScriptEnabled = javaScript, BypassCSP = javaScript });
        lock (_contexts) _contexts.Add(context);
        return await context.NewPageAsync();
    }

    /// <summary>A new browser context signed in through the development sign-in form as this user with this role, then sent to <paramref name="returnUrl"/>.</summary>
    public async Task<IPage> SignInAsync(string id, string name, string role, string returnUrl, bool javaScript = false)
    {
        var page = await NewPageAsync(javaScript);
        await page.GotoAsync(Url($"/api/staff/dev-signin?returnUrl={returnUrl}"));
        await page.GetByLabel("User id", new() { Exact = true }).FillAsync(id);
        await page.GetByLabel("Display name", new() { Exact = true }).FillAsync(name);
        await page.GetByLabel(role, new() { Exact = true }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        return page;
    }

    /// <summary>A new browser context signed in as one of the development sign-in's ready-made users, then sent to <paramref name="returnUrl"/> (default: the case list).</summary>
    public async Task<IPage> SignInAsAsync(string buttonStartsWith, string? returnUrl = null, bool javaScript = false)
    {
        var page = await NewPageAsync(javaScript);
        await page.GotoAsync(Url(returnUrl is null ? "/api/staff/dev-signin" : $"/api/staff/dev-signin?returnUrl={returnUrl}"));
        await page.GetByRole(AriaRole.Button, new() { Name = buttonStartsWith }).ClickAsync();
        return page;
    }

    /// <summary>Signs the page's browser context in with one of the development sign-in's ready-made users (lands on the case list).</summary>
    public async Task SignInAsync(IPage page, string buttonStartsWith)
    {
        await page.GotoAsync(Url("/api/staff/dev-signin"));
        await page.GetByRole(AriaRole.Button, new() { Name = buttonStartsWith }).ClickAsync();
        Assert.EndsWith("/api/staff/cases", page.Url);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var context in _contexts) await context.CloseAsync(); // the browser is shared: only this session's contexts end
        await App.DisposeAsync();
    }
}
