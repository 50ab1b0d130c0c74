using Microsoft.Extensions.Configuration;

namespace Imr.Functions.Web.Staff;

/// <summary>Settings under <c>Staff</c> (environment: <c>Staff__DevSignIn</c> …).</summary>
public sealed class StaffOptions
{
    public const string Section = "Staff";

    /// <summary>
    /// Turns on the local development sign-in (<c>/api/staff/dev-signin</c>): anyone reaching the app picks a user and
    /// roles. For a developer's machine only: the app refuses to start with it on inside App Service.
    /// </summary>
    public bool DevSignIn { get; set; }

    /// <summary>
    /// The staff console's address for links in mails to staff (e.g. <c>https://imr.example.org</c>; the pages are under
    /// <c>/api/staff/…</c>). Empty: the scheme, host and port of <c>Callback:PublicBaseUrl</c>, the app's own address.
    /// </summary>
    public string? ConsoleBaseUrl { get; set; }

    /// <summary>How long a development sign-in lasts.</summary>
    public TimeSpan DevSessionLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>
    /// Whether the app runs in Azure App Service (and so on Azure Functions): the platform sets these variables on every
    /// instance, and a developer never has a reason to.
    /// </summary>
    public static bool RunsInAppService(IConfiguration configuration) =>
        new[] { "WEBSITE_INSTANCE_ID", "WEBSITE_SITE_NAME" }.Any(name =>
            !string.IsNullOrEmpty(configuration[name]) || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name)));

    /// <summary>
    /// Whether App Service Authentication is on: then the platform strips any <c>X-MS-CLIENT-PRINCIPAL</c> a caller sends
    /// and sets it for signed-in users only. Without it the header is just text anyone can send, so it is not read.
    /// </summary>
    public static bool EasyAuthEnabled(IConfiguration configuration) =>
        string.Equals(configuration["WEBSITE_AUTH_ENABLED"] ?? Environment.GetEnvironmentVariable("WEBSITE_AUTH_ENABLED"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>What is wrong with these settings; checked when the app starts.</summary>
    public IEnumerable<string> Problems(bool runsInAppService)
    {
        if (DevSignIn && runsInAppService)
        {
            yield return "Staff:DevSignIn is on, but the app runs in Azure App Service (WEBSITE_INSTANCE_ID / WEBSITE_SITE_NAME are set): the development sign-in would let anyone sign in as anyone. Remove Staff__DevSignIn; staff sign in with Entra ID (App Service Authentication).";
        }

        if (ConsoleBaseUrl is { Length: > 0 } console
            && (!Uri.TryCreate(console, UriKind.Absolute, out var consoleUrl) || consoleUrl.Scheme is not ("https" or "http") || consoleUrl.Query.Length > 0 || consoleUrl.Fragment.Length > 0 || consoleUrl.UserInfo.Length > 0))
        {
            yield return $"Staff:ConsoleBaseUrl must be an absolute http(s) address without query or fragment (e.g. https://imr.example.org), the address of the staff console in mails; it is '{ConsoleBaseUrl}'.";
        }

        if (DevSessionLifetime <= TimeSpan.Zero || DevSessionLifetime > TimeSpan.FromDays(1))
        {
            yield return $"Staff:DevSessionLifetime must be positive and at most a day; it is {DevSessionLifetime}.";
        }
    }
}
