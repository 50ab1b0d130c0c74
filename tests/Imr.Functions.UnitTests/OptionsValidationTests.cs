using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Imr.Functions.UnitTests;

/// <summary>Settings are checked when the host starts: a bad one stops the start with a message naming it. No storage needed.</summary>
public sealed class OptionsValidationTests
{
    private static Dictionary<string, string?> Settings() => new()
    {
        ["Callback:PublicBaseUrl"] = "http://127.0.0.1:7071/api",
        ["Callback:CurrentKeyId"] = "test-1",
        ["Callback:Keys:test-1"] = Convert.ToBase64String(Enumerable.Range(7, 32).Select(i => (byte)i).ToArray()),
        ["ImrStorage"] = "UseDevelopmentStorage=true",
    };

    private static async Task StartAsync(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddImrApplication(builder.Configuration);
        using var host = builder.Build();
        await host.StartAsync();
        await host.StopAsync();
    }

    [Fact]
    public async Task The_default_settings_start()
    {
        await StartAsync(Settings());
    }

    [Theory]
    [InlineData("Imr:OrganizationName", " ", "Imr:OrganizationName is required")]
    [InlineData("Imr:MedicalDirectorEmail", "medical director", "Imr:MedicalDirectorEmail must be an e-mail address")]
    [InlineData("Imr:AcceptanceWindow", "-01:00:00", "Imr:AcceptanceWindow must be positive")]
    [InlineData("Imr:TimeScale", "0", "Imr:TimeScale must be a positive number")]
    [InlineData("Imr:StandardReview", "thirty days", "'thirty days' is not a deadline span")]
    [InlineData("Imr:Intake:RecordsAfterMailedNotice", "00:00:00", "Imr:Intake:RecordsAfterMailedNotice must be positive")]
    [InlineData("Imr:Intake:IntakeDeskEmail", "", "Imr:Intake:IntakeDeskEmail must be an e-mail address")]
    [InlineData("Matching:MinimumActivePracticeHoursPerWeek", "-1", "Matching:MinimumActivePracticeHoursPerWeek must not be negative")]
    [InlineData("Notifications:AdministrativeDirectorEmail", "dwc", "Notifications:AdministrativeDirectorEmail must be an e-mail address")]
    [InlineData("Callback:PublicBaseUrl", "/api", "Callback:PublicBaseUrl must be an absolute http(s) address")]
    [InlineData("Callback:Keys:test-1", "c2hvcnQ=", "Callback:Keys:test-1: callback signing keys must be at least 32 bytes")]
    public async Task A_bad_setting_stops_the_start_with_a_message_naming_it(string key, string value, string message)
    {
        var settings = Settings();
        settings[key] = value;

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(settings));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
