using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Imr.Functions.Web.Staff;

/// <summary>
/// Who is asking, for staff pages: the Entra ID user App Service Authentication signed in (in Azure), or the development
/// sign-in's cookie (locally, when <see cref="StaffOptions.DevSignIn"/> is on and the app is not in App Service).
/// One call per page: <see cref="Require(HttpRequest, IEnumerable{string})"/> for a page, <see cref="RequireFormAsync"/> for a form post (adds the CSRF
/// check). Never a function key: a key names no person, and the audit must.
/// </summary>
public sealed class StaffAuth
{
    public const string DevCookieName = "imr-staff-dev";
    public const string CsrfField = "csrf";
    public const string EasyAuthSignIn = "/.auth/login/aad";
    public const string EasyAuthSignOut = "/.auth/logout";
    public const string DevSignInPath = "/api/staff/dev-signin";
    public const string SignOutPurpose = "sign-out";

    private readonly byte[][] _keys;
    private readonly TimeProvider _time;
    private readonly StaffOptions _options;

    public StaffAuth(IOptions<StaffOptions> options, IOptions<CallbackOptions> callback, IConfiguration configuration, TimeProvider time)
    {
        _options = options.Value;
        _time = time;
        // The dev sign-in can never be on in App Service: the start refuses it (StaffOptions.Problems) and this refuses it again.
        DevSignInEnabled = _options.DevSignIn && !StaffOptions.RunsInAppService(configuration);
        EasyAuth = StaffOptions.EasyAuthEnabled(configuration);
        // The app's signing keys (Callback:Keys, Key Vault in Azure), each derived for this use so a staff token can
        // never pass as a reviewer link's signature or the reverse. The current key signs; every key verifies.
        var c = callback.Value;
        _keys = c.Keys.OrderBy(k => k.Key == c.CurrentKeyId ? 0 : 1).Select(k => HMACSHA256.HashData(Convert.FromBase64String(k.Value), "imr-staff-v1"u8)).ToArray();
        if (_keys.Length == 0) throw new InvalidOperationException("Staff pages need the app's signing keys: set Callback__CurrentKeyId and Callback__Keys__<id>.");
    }

    /// <summary>Whether the development sign-in is on (never in App Service).</summary>
    public bool DevSignInEnabled { get; }

    /// <summary>Whether App Service Authentication is on, so <c>X-MS-CLIENT-PRINCIPAL</c> is the platform's.</summary>
    public bool EasyAuth { get; }

    /// <summary>The signed-in staff user, or null.</summary>
    public StaffUser? SignedIn(HttpRequest request)
    {
        if (EasyAuth && request.Headers[ClientPrincipal.HeaderName].ToString() is { Length: > 0 } principal)
        {
            return ClientPrincipal.Parse(principal);
        }

        return DevSignInEnabled && request.Cookies[DevCookieName] is { } cookie ? ReadDevCookie(cookie) : null;
    }

    /// <summary>
    /// The session of a staff page: the user when signed in and holding one of <paramref name="anyOf"/>, otherwise a
    /// refusal page (401 with a sign-in link, 403 naming the roles). The page returns the refusal as it is. No roles:
    /// any signed-in user (sign out).
    /// </summary>
    public StaffSession Require(HttpRequest request, IEnumerable<string> anyOf)
    {
        var roles = anyOf.ToArray();
        var user = SignedIn(request);
        if (user is null) return new StaffSession(this, null, NotSignedIn(request));
        if (roles.Length > 0 && !user.IsInAny(roles))
        {
            return new StaffSession(this, user, Html.Page("Not allowed", $"<p role=\"alert\">This page needs the role {Html.E(string.Join(" or ", roles))}; you are signed in as {Html.E(user.DisplayName)}{(user.Roles.Count == 0 ? " with no staff role" : " with " + Html.E(string.Join(", ", user.Roles.Order())))}. Nothing was changed.</p><p><a href=\"/api/staff/cases\">Cases</a></p>", 403));
        }

        return new StaffSession(this, user, null);
    }

    /// <summary><see cref="Require(HttpRequest, IEnumerable{string})"/> with one role.</summary>
    public StaffSession Require(HttpRequest request, string role) => Require(request, [role]);

    /// <summary>
    /// A form post: <see cref="Require(HttpRequest, IEnumerable{string})"/>, then the form read and its CSRF field checked
    /// against <paramref name="purpose"/> (what the form does, with the case it is for, e.g. "assign:CM13-0012345").
    /// </summary>
    public async Task<StaffSession> RequireFormAsync(HttpRequest request, string purpose, IEnumerable<string> anyOf, CancellationToken ct = default)
    {
        var session = Require(request, anyOf);
        if (session.Refusal is not null) return session;
        if (!request.HasFormContentType)
        {
            return new StaffSession(this, session.User, Html.Message("Not a form", "Submit this from its page. Nothing was changed.", 415));
        }

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(ct);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or BadHttpRequestException)
        {
            return new StaffSession(this, session.User, Html.Message("This form could not be read", "Nothing was changed. Go back to the page and submit it again.", 400));
        }

        if (!CsrfValid(session.User!, purpose, form[CsrfField].ToString()))
        {
            return new StaffSession(this, session.User, Html.Message("This form was not accepted", "The form was not issued to you for this action (or the app's keys changed since). Nothing was changed. Open the page again and resubmit.", 403));
        }

        return new StaffSession(this, session.User, null, form);
    }

    /// <summary>A session for a user who is already known (tests render pages with it); a page asks <see cref="Require(HttpRequest, IEnumerable{string})"/>.</summary>
    public StaffSession SessionFor(StaffUser user) => new(this, user, null);

    /// <summary>The CSRF token of a form: the HMAC of the user id and the form's purpose, so it is good for that user and action only.</summary>
    public string CsrfToken(StaffUser user, string purpose) => WebEncoders.Base64UrlEncode(Sign(_keys[0], $"csrf\n{user.Id}\n{purpose}"));

    public bool CsrfValid(StaffUser user, string purpose, string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 100) return false;
        byte[] given;
        try
        {
            given = WebEncoders.Base64UrlDecode(token);
        }
        catch (FormatException)
        {
            return false;
        }

        return _keys.Any(k => CryptographicOperations.FixedTimeEquals(given, Sign(k, $"csrf\n{user.Id}\n{purpose}")));
    }

    /// <summary>The development sign-in's cookie value: the user and an expiry, signed.</summary>
    public string DevCookie(StaffUser user)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(new DevSession(user.Id, user.DisplayName, [.. user.Roles], _time.GetUtcNow().Add(_options.DevSessionLifetime)));
        var encoded = WebEncoders.Base64UrlEncode(payload);
        return encoded + "." + WebEncoders.Base64UrlEncode(Sign(_keys[0], "dev\n" + encoded));
    }

    public TimeSpan DevSessionLifetime => _options.DevSessionLifetime;

    private StaffUser? ReadDevCookie(string cookie)
    {
        var dot = cookie.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || cookie.Length > 4096) return null;
        try
        {
            var encoded = cookie[..dot];
            var signature = WebEncoders.Base64UrlDecode(cookie[(dot + 1)..]);
            if (!_keys.Any(k => CryptographicOperations.FixedTimeEquals(signature, Sign(k, "dev\n" + encoded)))) return null;
            var session = JsonSerializer.Deserialize<DevSession>(WebEncoders.Base64UrlDecode(encoded));
            if (session is null || session.ExpiresAt <= _time.GetUtcNow() || string.IsNullOrWhiteSpace(session.Id)) return null;
            return new StaffUser(session.Id, session.Name, session.Roles.Where(StaffRoles.IsKnown).ToHashSet(StringComparer.Ordinal));
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }
    }

    private HtmlPage NotSignedIn(HttpRequest request)
    {
        var back = Uri.EscapeDataString(request.Path + request.QueryString);
        var link = DevSignInEnabled
            ? $"<p><a href=\"{DevSignInPath}?returnUrl={Html.E(back)}\">Sign in (development)</a></p>"
            : $"<p><a href=\"{EasyAuthSignIn}?post_login_redirect_uri={Html.E(back)}\">Sign in with your organization account</a></p>";
        return Html.Page("Sign in needed", "<p role=\"alert\">Staff pages show who you are in the audit trail, so you need to sign in first.</p>" + link, 401);
    }

    private static byte[] Sign(byte[] key, string text) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(text));

    private sealed record DevSession(string Id, string Name, string[] Roles, DateTimeOffset ExpiresAt);
}
