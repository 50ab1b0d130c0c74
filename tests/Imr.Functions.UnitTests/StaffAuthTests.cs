using Imr.Functions.Web;
using Imr.Functions.Web.Staff;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Imr.Functions.UnitTests;

/// <summary>Staff identity without storage: the Easy Auth principal, the development sign-in, CSRF tokens, the page headers.</summary>
public sealed class StaffAuthTests
{
    private static readonly string Key = Convert.ToBase64String(Enumerable.Range(7, 32).Select(i => (byte)i).ToArray());
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));

    private static Dictionary<string, string?> Settings() => new()
    {
        ["Callback:PublicBaseUrl"] = "http://127.0.0.1:7071/api",
        ["Callback:CurrentKeyId"] = "test-1",
        ["Callback:Keys:test-1"] = Key,
        ["ImrStorage"] = "UseDevelopmentStorage=true",
    };

    private StaffAuth Auth(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var staff = configuration.GetSection(StaffOptions.Section).Get<StaffOptions>() ?? new StaffOptions();
        var callback = configuration.GetSection(CallbackOptions.Section).Get<CallbackOptions>()!;
        return new StaffAuth(Options.Create(staff), Options.Create(callback), configuration, _time);
    }

    private static HttpRequest Request(string? principal = null, string? cookie = null)
    {
        var context = new DefaultHttpContext();
        context.Request.Path = "/api/staff/cases";
        if (principal is not null) context.Request.Headers[ClientPrincipal.HeaderName] = principal;
        if (cookie is not null) context.Request.Headers.Cookie = $"{StaffAuth.DevCookieName}={cookie}";
        return context.Request;
    }

    private static int Status(StaffSession session) => ((ContentResult)session.Refusal!).StatusCode!.Value;

    [Fact]
    public void The_principal_header_gives_the_user_id_name_and_only_the_apps_roles()
    {
        var user = ClientPrincipal.Parse(ClientPrincipal.Encode("0b1c-oid", "Dana Director", [StaffRoles.MedicalDirector, "GlobalAdmin"]))!;
        Assert.Equal("0b1c-oid", user.Id);
        Assert.Equal("Dana Director", user.DisplayName);
        Assert.Equal([StaffRoles.MedicalDirector], user.Roles);

        Assert.Null(ClientPrincipal.Parse("not base64!"));
        Assert.Null(ClientPrincipal.Parse(Convert.ToBase64String("{\"claims\":[{\"typ\":\"name\",\"val\":\"no id\"}]}"u8.ToArray())));
        Assert.Null(ClientPrincipal.Parse(Convert.ToBase64String("[1,2]"u8.ToArray())));
    }

    [Fact]
    public void Without_a_signed_in_user_a_staff_page_is_a_401_with_the_sign_in_link()
    {
        var session = Auth(Settings()).Require(Request(), StaffRoles.All);
        Assert.False(session.Allowed);
        Assert.Equal(401, Status(session));
        Assert.Contains("/.auth/login/aad?post_login_redirect_uri=%2Fapi%2Fstaff%2Fcases", ((ContentResult)session.Refusal!).Content);
    }

    [Fact]
    public void The_principal_header_counts_only_when_App_Service_Authentication_is_on()
    {
        var header = ClientPrincipal.Encode("oid-1", "Dana", [StaffRoles.MedicalDirector]);
        // Locally (or in App Service without Easy Auth) the header is just text anyone can send.
        Assert.Equal(401, Status(Auth(Settings()).Require(Request(header), StaffRoles.MedicalDirector)));

        var settings = Settings();
        settings["WEBSITE_AUTH_ENABLED"] = "True";
        var session = Auth(settings).Require(Request(header), StaffRoles.MedicalDirector);
        Assert.True(session.Allowed);
        Assert.Equal("oid-1", session.User.Id);
    }

    [Fact]
    public void A_user_without_the_role_is_refused_with_403()
    {
        var settings = Settings();
        settings["WEBSITE_AUTH_ENABLED"] = "true";
        var session = Auth(settings).Require(Request(ClientPrincipal.Encode("oid-2", "Vera", [StaffRoles.CaseViewer])), StaffRoles.MedicalDirector);
        Assert.False(session.Allowed);
        Assert.Equal(403, Status(session));
        Assert.Equal("oid-2", session.User!.Id);
    }

    [Fact]
    public void A_CSRF_token_is_good_for_its_user_and_purpose_only()
    {
        var auth = Auth(Settings());
        var dana = new StaffUser("dana", "Dana", new HashSet<string> { StaffRoles.MedicalDirector });
        var vera = new StaffUser("vera", "Vera", new HashSet<string> { StaffRoles.MedicalDirector });
        var token = auth.CsrfToken(dana, "assign:CM13-0012345");
        Assert.True(auth.CsrfValid(dana, "assign:CM13-0012345", token));
        Assert.False(auth.CsrfValid(dana, "assign:CM13-0099999", token));
        Assert.False(auth.CsrfValid(vera, "assign:CM13-0012345", token));
        Assert.False(auth.CsrfValid(dana, "assign:CM13-0012345", ""));
        Assert.False(auth.CsrfValid(dana, "assign:CM13-0012345", "!!"));

        // Another app key signs other tokens.
        var other = Settings();
        other["Callback:Keys:test-1"] = Convert.ToBase64String(Enumerable.Range(9, 32).Select(i => (byte)i).ToArray());
        Assert.False(Auth(other).CsrfValid(dana, "assign:CM13-0012345", token));
    }

    [Fact]
    public async Task A_form_post_without_its_CSRF_field_changes_nothing()
    {
        var settings = Settings();
        settings["WEBSITE_AUTH_ENABLED"] = "true";
        var auth = Auth(settings);
        var request = Request(ClientPrincipal.Encode("dana", "Dana", [StaffRoles.MedicalDirector]));
        request.Method = "POST";
        request.ContentType = "application/x-www-form-urlencoded";
        request.Body = new MemoryStream("reviewerId=R1"u8.ToArray());
        var session = await auth.RequireFormAsync(request, "assign:CM13-0012345", [StaffRoles.MedicalDirector]);
        Assert.Equal(403, Status(session));

        var token = auth.CsrfToken(new StaffUser("dana", "Dana", new HashSet<string>()), "assign:CM13-0012345");
        request.Body = new MemoryStream(System.Text.Encoding.UTF8.GetBytes($"reviewerId=R1&csrf={token}"));
        request.HttpContext.Features.Set<Microsoft.AspNetCore.Http.Features.IFormFeature>(null);
        session = await auth.RequireFormAsync(request, "assign:CM13-0012345", [StaffRoles.MedicalDirector]);
        Assert.True(session.Allowed);
        Assert.Equal("R1", session.Form!["reviewerId"]);
    }

    [Fact]
    public void The_development_sign_in_cookie_counts_only_when_on_signed_and_unexpired()
    {
        var on = Settings();
        on["Staff:DevSignIn"] = "true";
        var auth = Auth(on);
        Assert.True(auth.DevSignInEnabled);
        var cookie = auth.DevCookie(new StaffUser("dev-1", "Dev One", new HashSet<string> { StaffRoles.IntakeDesk }));
        var session = auth.Require(Request(cookie: cookie), StaffRoles.IntakeDesk);
        Assert.True(session.Allowed);
        Assert.Equal("Dev One", session.User.DisplayName);
        Assert.Contains("/api/staff/dev-signin?returnUrl=", ((ContentResult)auth.Require(Request(), StaffRoles.All).Refusal!).Content);

        // Off: the same cookie is ignored.
        Assert.Equal(401, Status(Auth(Settings()).Require(Request(cookie: cookie), StaffRoles.IntakeDesk)));
        // Roles changed in the cookie: the signature fails.
        var payload = cookie[..cookie.IndexOf('.', StringComparison.Ordinal)];
        var forged = Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(System.Text.Encoding.UTF8.GetBytes(
            System.Text.Encoding.UTF8.GetString(Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlDecode(payload)).Replace("IntakeDesk", "MedicalDirector", StringComparison.Ordinal)));
        Assert.Equal(401, Status(auth.Require(Request(cookie: forged + cookie[cookie.IndexOf('.', StringComparison.Ordinal)..]), StaffRoles.MedicalDirector)));
        // Expired.
        _time.Advance(TimeSpan.FromHours(9));
        Assert.Equal(401, Status(auth.Require(Request(cookie: cookie), StaffRoles.IntakeDesk)));
    }

    [Theory]
    [InlineData("WEBSITE_INSTANCE_ID", "9f3c0a")]
    [InlineData("WEBSITE_SITE_NAME", "imr-func-prod")]
    public async Task The_development_sign_in_cannot_be_enabled_in_App_Service(string variable, string value)
    {
        var settings = Settings();
        settings["Staff:DevSignIn"] = "true";
        settings[variable] = value;
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(settings));
        Assert.Contains("Staff:DevSignIn is on, but the app runs in Azure App Service", error.Message);
        // Even if the start check were bypassed, the service itself never turns it on there.
        Assert.False(Auth(settings).DevSignInEnabled);

        settings.Remove("Staff:DevSignIn");
        await StartAsync(settings);
        settings.Remove(variable);
        settings["Staff:DevSignIn"] = "true";
        await StartAsync(settings);
    }

    [Theory]
    [InlineData("/api/staff/cases?status=Open", "/api/staff/cases?status=Open")]
    [InlineData("https://evil.example/", "/api/staff/cases")]
    [InlineData("//evil.example/api/", "/api/staff/cases")]
    [InlineData("/api//evil.example", "/api/staff/cases")]
    [InlineData("/api/\\evil.example", "/api/staff/cases")]
    public void The_sign_in_returns_only_to_this_apps_pages(string given, string expected) =>
        Assert.Equal(expected, Triggers.StaffSignInTriggers.LocalReturnUrl(given));

    [Fact]
    public async Task Every_page_sends_the_security_headers()
    {
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().AddMvcCore().Services.BuildServiceProvider() };
        context.Response.Body = new MemoryStream();
        await Html.Message("Signed out", "Bye").ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));
        var h = context.Response.Headers;
        Assert.Equal("no-store", h.CacheControl);
        Assert.Equal("DENY", h.XFrameOptions);
        Assert.Equal("nosniff", h.XContentTypeOptions);
        Assert.Equal("no-referrer", h["Referrer-Policy"]);
        var csp = h.ContentSecurityPolicy.ToString();
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Contains("default-src 'none'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.Matches("style-src 'sha256-[A-Za-z0-9+/]{43}='", csp);
    }

    private static async Task StartAsync(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddImrApplication(builder.Configuration);
        using var host = builder.Build();
        await host.StartAsync();
        await host.StopAsync();
    }
}
