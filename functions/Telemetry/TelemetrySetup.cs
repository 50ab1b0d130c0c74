using Azure.Core;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Imr.Functions.Telemetry;

/// <summary>
/// OpenTelemetry for the app: the case traces and metrics (<see cref="CaseTelemetry"/>), the storage SDK's and the
/// Durable Task SDK's spans, and logs. Exporters by setting: Azure Monitor when APPLICATIONINSIGHTS_CONNECTION_STRING is
/// set (with the managed identity named in APPLICATIONINSIGHTS_AUTHENTICATION_STRING, as the component accepts Entra ID
/// only); OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set; the console when Telemetry__Console is true. None: nothing leaves.
/// </summary>
public static class TelemetrySetup
{
    /// <summary>Sources whose spans are exported: the case trace, the Durable Task SDK, the Azure SDK (storage calls).</summary>
    public static readonly string[] Sources = [CaseTelemetry.SourceName, "Microsoft.DurableTask", "Azure.*"];

    /// <summary>Adds OpenTelemetry with the exporters the configuration asks for; the Functions worker adds its defaults on the result.</summary>
    public static IOpenTelemetryBuilder AddImrTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var otel = services.AddOpenTelemetry()
            .WithTracing(t => t.AddSource(Sources))
            .WithMetrics(m => m.AddMeter(CaseTelemetry.SourceName));
        // The Azure SDK emits spans only when asked (its ActivitySource support is opt-in).
        AppContext.SetSwitch("Azure.Experimental.EnableActivitySource", true);

        if (configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"] is { Length: > 0 } connectionString)
        {
            var credential = AzureMonitorCredential(configuration["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
            void Options(AzureMonitorExporterOptions o) => o.ConnectionString = connectionString;
            otel.WithTracing(t => t.AddAzureMonitorTraceExporter(Options, credential))
                .WithMetrics(m => m.AddAzureMonitorMetricExporter(Options, credential))
                .WithLogging(l => l.AddAzureMonitorLogExporter(Options, credential));
        }

        if (!string.IsNullOrEmpty(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            otel.UseOtlpExporter();
        }

        if (string.Equals(configuration["Telemetry:Console"], "true", StringComparison.OrdinalIgnoreCase))
        {
            otel.WithTracing(t => t.AddConsoleExporter()).WithMetrics(m => m.AddConsoleExporter()).WithLogging(l => l.AddConsoleExporter());
        }

        return otel;
    }

    /// <summary>"Authorization=AAD;ClientId=…": that user-assigned identity; "Authorization=AAD": the default credential; else none (key-based).</summary>
    internal static TokenCredential? AzureMonitorCredential(string? authenticationString)
    {
        if (string.IsNullOrEmpty(authenticationString)) return null;
        var parts = authenticationString.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("Authorization", out var kind) || !kind.Equals("AAD", StringComparison.OrdinalIgnoreCase)) return null;
        return parts.TryGetValue("ClientId", out var clientId) && clientId.Length > 0
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new DefaultAzureCredential();
    }
}
