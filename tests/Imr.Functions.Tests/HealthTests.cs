using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Imr.Functions.Services;
using Imr.Functions.Storage;
using Imr.Functions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Imr.Functions.Tests;

/// <summary>/api/health: what the platform's health check and the postdeploy hook wait for.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class HealthTests
{
    [Fact]
    public async Task Health_answers_200_without_a_key_and_names_only_its_checks()
    {
        await using var app = await RuntimeHarness.StartAsync();
        using var response = await new HttpClient().GetAsync(new Uri(app.Runtime.BaseAddress, "/api/health")); // no function key
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("Healthy", json.RootElement.GetProperty("status").GetString());
        var checks = json.RootElement.GetProperty("checks");
        Assert.Equal(["durable", "signingKey", "storage"], checks.EnumerateObject().Select(c => c.Name).Order());
        Assert.All(checks.EnumerateObject(), c => Assert.Equal("Healthy", c.Value.GetString()));
        Assert.DoesNotContain("AccountKey", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("127.0.0.1", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreachable_storage_or_an_unusable_signing_key_is_unhealthy_within_the_check_timeout()
    {
        await using var app = await RuntimeHarness.StartAsync();
        // Nothing listens on port 9: storage requests fail (after the SDK's retries, bounded by the check's timeout).
        const string Dead = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;";
        var deadStorage = new StorageClients(new BlobServiceClient(Dead), new TableServiceClient(Dead));
        var noKey = Options.Create(new CallbackOptions { CurrentKeyId = "k1", Keys = new() { ["k1"] = "c2hvcnQ=" } }); // 5 bytes: too short

        var started = DateTime.UtcNow;
        var report = await new HealthCheck(deadStorage, noKey).RunAsync(app.Runtime.DurableClient);

        Assert.False(report.Healthy);
        Assert.StartsWith("Unhealthy", report.Checks["storage"], StringComparison.Ordinal);
        Assert.StartsWith("Unhealthy", report.Checks["signingKey"], StringComparison.Ordinal);
        Assert.Equal("Healthy", report.Checks["durable"]);
        Assert.True(DateTime.UtcNow - started < HealthCheck.CheckTimeout + TimeSpan.FromSeconds(5));
        var good = await new HealthCheck(app.Runtime.Services.GetRequiredService<StorageClients>(), app.Runtime.Services.GetRequiredService<IOptions<CallbackOptions>>()).RunAsync(app.Runtime.DurableClient);
        Assert.True(good.Healthy);
    }
}
