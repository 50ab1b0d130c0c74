using Imr.Functions.Web;
using Imr.Functions.Web.Staff;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Imr.Functions.Triggers;

/// <summary>
/// Signing staff in and out. In Azure, App Service Authentication signs in (<c>/.auth/login/aad</c>); the development
/// sign-in answers 404 there (and the app refuses to start with it on). Anonymous at the Functions level: a function key
/// names no person, the staff identity does.
/// </summary>
public sealed class StaffSignInTriggers(StaffAuth auth)
{
    [Function(nameof(ShowDevSignIn))]
    public IActionResult ShowDevSignIn(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "staff/dev-signin")] HttpRequest request) =>
        auth.DevSignInEnabled ? StaffSignInPages.DevSignIn(LocalReturnUrl(request.Query["returnUrl"])) : Html.Message("Not found", "There is no such page.", 404);

    [Function(nameof(DevSignIn))]
    public async Task<IActionResult> DevSignIn(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "staff/dev-signin")] HttpRequest request, CancellationToken cancellationToken)
    {
        if (!auth.DevSignInEnabled) return Html.Message("Not found", "There is no such page.", 404);
        if (!request.HasFormContentType) return Html.Message("Not a form", "Sign in from the sign-in page.", 415);
        var form = await request.ReadFormAsync(cancellationToken);
        var returnUrl = LocalReturnUrl(form["returnUrl"]);
        var id = form["id"].ToString().Trim();
        var name = form["name"].ToString().Trim();
        var roles = form["role"].Where(r => r is not null && StaffRoles.IsKnown(r)).Select(r => r!).ToHashSet(StringComparer.Ordinal);
        if (id.Length is 0 or > 100 || name.Length is 0 or > 100)
        {
            return StaffSignInPages.DevSignIn(returnUrl, "Enter a user id and a display name (at most 100 characters each).");
        }

        request.HttpContext.Response.Cookies.Append(StaffAuth.DevCookieName, auth.DevCookie(new StaffUser(id, name, roles)), Cookie(request, auth.DevSessionLifetime));
        return new RedirectResult(returnUrl);
    }

    [Function(nameof(StaffSignOut))]
    public async Task<IActionResult> StaffSignOut(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "staff/signout")] HttpRequest request, CancellationToken cancellationToken)
    {
        var session = await auth.RequireFormAsync(request, StaffAuth.SignOutPurpose, [], cancellationToken);
        if (session.Refusal is { } refused) return refused;
        request.HttpContext.Response.Cookies.Delete(StaffAuth.DevCookieName, Cookie(request, TimeSpan.Zero));
        return auth.EasyAuth ? new RedirectResult($"{StaffAuth.EasyAuthSignOut}?post_logout_redirect_uri=/api/staff/signed-out") : StaffSignInPages.SignedOut();
    }

    [Function(nameof(StaffSignedOut))]
    public IActionResult StaffSignedOut(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "staff/signed-out")] HttpRequest request) => StaffSignInPages.SignedOut();

    /// <summary>Only a path of this app's staff pages: an open redirect would let a link send a signed-in user anywhere.</summary>
    public static string LocalReturnUrl(string? url) =>
        url is { Length: > 0 and < 2000 } && url.StartsWith("/api/", StringComparison.Ordinal) && !url.Contains("//", StringComparison.Ordinal) && !url.Contains('\\', StringComparison.Ordinal)
            ? url
            : "/api/staff/cases";

    private static CookieOptions Cookie(HttpRequest request, TimeSpan lifetime) => new()
    {
        HttpOnly = true,
        Secure = request.IsHttps,
        SameSite = SameSiteMode.Strict,
        Path = "/api",
        MaxAge = lifetime > TimeSpan.Zero ? lifetime : null,
    };
}
