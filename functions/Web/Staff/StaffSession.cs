using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Imr.Functions.Web.Staff;

/// <summary>
/// What <see cref="StaffAuth"/> answers for one request: the user, or the refusal page to return as it is; for a form
/// post also the form, its CSRF token checked. Renders pages in the staff layout.
/// </summary>
public sealed class StaffSession
{
    private readonly StaffAuth _auth;

    internal StaffSession(StaffAuth auth, StaffUser? user, IActionResult? refusal, IFormCollection? form = null)
    {
        _auth = auth;
        User = user;
        Refusal = refusal;
        Form = form;
    }

    /// <summary>The signed-in user (also set on a 403: who was refused).</summary>
    public StaffUser? User { get; }

    /// <summary>The page to return instead (401, 403, 415, 400): not signed in, no role, or a form not issued to this user.</summary>
    public IActionResult? Refusal { get; }

    /// <summary>The posted form (for <see cref="StaffAuth.RequireFormAsync"/> only), its CSRF token checked.</summary>
    public IFormCollection? Form { get; }

    [MemberNotNullWhen(true, nameof(User))]
    public bool Allowed => Refusal is null && User is not null;

    /// <summary>The hidden CSRF field for a form with this purpose.</summary>
    public string CsrfField(string purpose) =>
        $"<input type=\"hidden\" name=\"{StaffAuth.CsrfField}\" value=\"{Html.E(_auth.CsrfToken(User!, purpose))}\">";

    /// <summary>A page in the staff layout: navigation (<paramref name="section"/> marked current), the user, sign out.</summary>
    public HtmlPage Page(string title, string body, string? section = null, int status = 200, bool hasErrors = false) =>
        Html.StaffPage(title, body, new StaffLayout(User!, CsrfField(StaffAuth.SignOutPurpose), section, _auth.EasyAuth), status, hasErrors);
}
