using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Imr.Functions.Web.Staff;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Imr.Functions.Web;

/// <summary>Server-rendered pages: plain HTML forms that work without JavaScript; every value is encoded.</summary>
public static class Html
{
    public static string E(string? s) => HtmlEncoder.Default.Encode(s ?? "");

    private const string Style =
        "body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1b1b1b}" +
        "label,legend{display:block;font-weight:600;margin-top:1rem}textarea,input[type=text],select{width:100%;font:inherit;padding:.25rem}" +
        "button{margin-top:1rem;font:inherit;padding:.5rem 1rem}fieldset{margin-top:1rem}.hint{color:#454545;margin:.25rem 0}" +
        ".error{color:#b00020;font-weight:600;margin:.25rem 0}[aria-invalid=true]{border:2px solid #b00020}" +
        ".error-summary{border:3px solid #b00020;padding:1rem;margin:1rem 0}.radio label,.check label{display:inline;font-weight:400;margin-left:.25rem}" +
        ".visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{font-weight:600}" +
        "table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:.25rem .5rem;border-bottom:1px solid #767676}" +
        ".letter{border:1px solid #767676;padding:0 1rem;margin:1rem 0}.letter dl{display:block}.letter dd,.letter-header p{margin:0}dd{overflow-wrap:anywhere}" +
        // Staff layout: a wider page, the navigation bar and the signed-in user; compact filter forms.
        "body.staff{max-width:72rem}.staff-bar{display:flex;flex-wrap:wrap;gap:1rem;align-items:center;justify-content:space-between;border-bottom:1px solid #767676;padding-bottom:.5rem}" +
        ".staff-bar ul{list-style:none;display:flex;flex-wrap:wrap;gap:1rem;margin:0;padding:0}.staff-bar a[aria-current=page]{font-weight:700}" +
        ".staff-bar form{display:inline}.staff-bar button{margin:0;padding:.25rem .5rem}.filters{display:grid;grid-template-columns:repeat(auto-fill,minmax(12rem,1fr));gap:0 1rem}" +
        ".filters label{margin-top:.5rem}.actions{display:flex;flex-wrap:wrap;gap:1rem}.overdue{color:#b00020;font-weight:600}";

    /// <summary>
    /// The Content-Security-Policy of every page: nothing loads but the page's one stylesheet (allowed by its hash, so no
    /// inline style or script can run), forms post only to this app, no page can be framed, no base URL can be changed.
    /// </summary>
    public static readonly string ContentSecurityPolicy =
        $"default-src 'none'; style-src 'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Style)))}'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    /// <summary>The headers every page sends (see <see cref="HtmlPage"/>).</summary>
    public static readonly IReadOnlyDictionary<string, string> SecurityHeaders = new Dictionary<string, string>
    {
        // Pages carry case data and reviewer links: never kept by a browser or a proxy.
        ["Cache-Control"] = "no-store",
        ["Pragma"] = "no-cache",
        ["Content-Security-Policy"] = ContentSecurityPolicy,
        ["X-Frame-Options"] = "DENY",
        ["X-Content-Type-Options"] = "nosniff",
        // Reviewer tokens travel in URLs: a followed link must not carry them to another site.
        ["Referrer-Policy"] = "no-referrer",
        ["Cross-Origin-Opener-Policy"] = "same-origin",
        ["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()",
    };

    /// <param name="hasErrors">Prefixes the title with "Error:" so a screen reader announces the problem first.</param>
    public static HtmlPage Page(string title, string body, int status = 200, bool hasErrors = false) => Document(title, body, status, hasErrors, null);

    public static HtmlPage Message(string title, string message, int status = 200) => Page(title, $"<p role=\"status\">{E(message)}</p>", status);

    /// <summary>A staff page: the navigation, who is signed in and a sign-out button above the page's main content.</summary>
    public static HtmlPage StaffPage(string title, string body, StaffLayout layout, int status = 200, bool hasErrors = false) => Document(title, body, status, hasErrors, layout);

    private static HtmlPage Document(string title, string body, int status, bool hasErrors, StaffLayout? staff)
    {
        var html = new StringBuilder()
            .Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<meta name=\"referrer\" content=\"no-referrer\"><meta name=\"robots\" content=\"noindex\"><title>").Append(hasErrors ? "Error: " : "").Append(E(title)).Append("</title>")
            .Append("<style>").Append(Style).Append("</style>")
            .Append(staff is null ? "</head><body>" : "</head><body class=\"staff\">");
        if (staff is not null) StaffBar(html, staff);
        html.Append("<main><h1>").Append(E(title)).Append("</h1>")
            .Append(body)
            .Append("</main></body></html>");
        return new HtmlPage { StatusCode = status, ContentType = "text/html; charset=utf-8", Content = html.ToString() };
    }

    private static void StaffBar(StringBuilder html, StaffLayout staff)
    {
        html.Append("<header class=\"staff-bar\"><nav aria-label=\"Staff console\"><ul>");
        foreach (var (section, href) in StaffSections.Links)
        {
            html.Append("<li><a href=\"").Append(E(href)).Append('"').Append(section == staff.Section ? " aria-current=\"page\"" : "").Append('>').Append(E(section)).Append("</a></li>");
        }

        html.Append("</ul></nav><div>Signed in as <strong>").Append(E(staff.User.DisplayName)).Append("</strong>");
        if (staff.User.Roles.Count > 0) html.Append(" (").Append(E(string.Join(", ", staff.User.Roles.Order(StringComparer.Ordinal)))).Append(')');
        html.Append(" <form method=\"post\" action=\"/api/staff/signout\">").Append(staff.SignOutField).Append("<button type=\"submit\">Sign out</button></form></div></header>");
    }
}

/// <summary>What the staff layout shows: the user, the sign-out form's CSRF field, the current section.</summary>
public sealed record StaffLayout(StaffUser User, string SignOutField, string? Section, bool EasyAuth);

/// <summary>The staff console's sections, in navigation order, and their pages.</summary>
public static class StaffSections
{
    public const string Cases = "Cases";
    public const string WorkQueue = "Work queue";
    public const string IntakeDesk = "Intake desk";
    public const string AtRisk = "At risk";
    public const string Figures = "Figures";

    public static readonly IReadOnlyList<(string Section, string Href)> Links =
    [
        (Cases, "/api/staff/cases"),
        (WorkQueue, "/api/staff/queue"),
        (IntakeDesk, "/api/staff/intake"),
        (AtRisk, "/api/staff/at-risk"),
        (Figures, "/api/staff/figures"),
    ];
}

/// <summary>
/// An HTML page as an action result that also sends <see cref="Html.SecurityHeaders"/>: every page is built by
/// <see cref="Html.Page"/> or <see cref="Html.StaffPage"/>, so every page (staff and reviewer) carries them.
/// </summary>
public sealed class HtmlPage : ContentResult
{
    public override Task ExecuteResultAsync(ActionContext context)
    {
        ApplySecurityHeaders(context.HttpContext.Response);
        return base.ExecuteResultAsync(context);
    }

    public static void ApplySecurityHeaders(HttpResponse response)
    {
        foreach (var (name, value) in Html.SecurityHeaders) response.Headers[name] = value;
    }
}
