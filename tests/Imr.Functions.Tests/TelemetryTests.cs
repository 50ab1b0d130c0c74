using System.Diagnostics;
using System.Text.Json.Nodes;
using Imr.Domain.Cases;
using Imr.Functions.Telemetry;
using Imr.Functions.Tests.Infrastructure;
using Imr.LocalRuntime;
using Imr.LocalRuntime.Demo;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Imr.Functions.Tests;

/// <summary>
/// The sample case from upload to issued letter with in-memory OpenTelemetry exporters: one trace per case, the case
/// metrics, and no PHI in any exported span, attribute, log or metric.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TelemetryTests
{
    [Fact]
    public async Task The_sample_case_is_one_trace_with_its_metrics_and_no_exported_item_holds_its_names_dates_or_diagnoses()
    {
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        var logs = new List<LogRecord>();
        // Every source ("*"): the app's, the Durable Task SDK's, the Azure SDK's (storage calls) and anything else.
        using var tracing = Sdk.CreateTracerProviderBuilder().AddSource("*").AddInMemoryExporter(spans).Build();
        using var meters = Sdk.CreateMeterProviderBuilder().AddMeter(CaseTelemetry.SourceName).AddInMemoryExporter(metrics).Build();

        var settings = TestEnvironment.AppSettings(RuntimeHarness.NewTaskHub(), DurableBackend.FreeLoopbackPort());
        var runtime = await LocalFunctionsRuntime.StartAsync(TestEnvironment.Configuration(settings), logging: l =>
        {
            l.SetMinimumLevel(LogLevel.Trace);
            l.AddOpenTelemetry(o => { o.IncludeFormattedMessage = true; o.IncludeScopes = true; o.AddInMemoryExporter(logs); });
        });
        var caseNumber = TestEnvironment.NewCaseNumber("O");
        try
        {
            using var http = new HttpClient { BaseAddress = runtime.BaseAddress };
            http.DefaultRequestHeaders.Add(HttpRoutes.KeyHeader, runtime.FunctionKey); // the status route wants the key, as in Azure
            var driver = new SampleCaseDriver(TestEnvironment.Blobs, http);
            await TestEnvironment.UploadSampleCaseAsync(caseNumber);
            var offer = await driver.WaitForLinkAsync(caseNumber, $"{caseNumber}-A1-offer", TimeSpan.FromSeconds(60));
            await driver.FollowAndSubmitAsync(offer, new Dictionary<string, string>());
            var determination = await driver.WaitForLinkAsync(caseNumber, $"{caseNumber}-A1-determination", TimeSpan.FromSeconds(60));
            await driver.FollowAndSubmitAsync(determination, SampleCaseDriver.DeterminationForm(SampleCaseDriver.LoadDetermination(TestEnvironment.SampleDetermination)));
            await driver.WaitForStatusAsync(runtime.BaseAddress, caseNumber, "Closed", TimeSpan.FromSeconds(90));
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await runtime.DurableClient.WaitForInstanceCompletionAsync(CaseNumber.Parse(caseNumber).OrchestrationInstanceId, wait.Token);
        }
        finally
        {
            await runtime.DisposeAsync();
        }

        // Stop collecting (flushes), then read fixed copies: background work of other tests may still be emitting.
        tracing.Dispose();
        meters.Dispose();
        spans = [.. spans];
        metrics = [.. metrics];
        logs = [.. logs];

        // One trace per case: intake (Received), the orchestration's offer, the reviewer's callback (InReview) and the letter (Closed).
        var caseSpans = spans.Where(s => s.Source.Name == CaseTelemetry.SourceName && s.TraceId == CaseTelemetry.TraceIdOf(caseNumber)).ToList();
        var statuses = caseSpans.Select(s => (string?)s.GetTagItem("imr.case.status")).ToHashSet();
        Assert.Superset(new HashSet<string?> { "Received", "AwaitingAcceptance", "InReview", "Closed" }, statuses);
        Assert.All(caseSpans, s => Assert.Equal(CaseTelemetry.CaseContext(caseNumber).SpanId, s.ParentSpanId));
        var metricNames = metrics.Select(m => m.Name).ToHashSet();
        Assert.Superset(new HashSet<string> { "imr.cases.by_state", "imr.case.time_to_offer", "imr.case.time_to_determination" }, metricNames);
        Assert.NotEmpty(logs);

        // Everything exported, as text.
        var exported = new List<(string Kind, string Text)>();
        foreach (var s in spans)
        {
            exported.Add(("span", $"{s.Source.Name} {s.OperationName} {s.DisplayName} {s.StatusDescription}"));
            exported.AddRange(s.TagObjects.Select(t => ("span attribute", $"{t.Key}={t.Value}")));
            exported.AddRange(s.Events.SelectMany(e => e.Tags.Select(t => ("span event", $"{e.Name} {t.Key}={t.Value}"))));
            exported.AddRange(s.Baggage.Select(b => ("baggage", $"{b.Key}={b.Value}")));
        }

        foreach (var m in metrics)
        {
            exported.Add(("metric", $"{m.Name} {m.Description} {m.Unit}"));
            foreach (var point in m.GetMetricPoints())
            {
                foreach (var tag in point.Tags) exported.Add(("metric attribute", $"{m.Name} {tag.Key}={tag.Value}"));
            }
        }

        foreach (var log in logs)
        {
            exported.Add(("log", $"{log.CategoryName} {log.EventId.Name} {log.FormattedMessage} {log.Body} {log.Exception}"));
            foreach (var a in log.Attributes ?? []) exported.Add(("log attribute", $"{a.Key}={a.Value}"));
            log.ForEachScope((scope, list) =>
            {
                foreach (var a in scope) list.Add(("log scope", $"{a.Key}={a.Value}"));
            }, exported);
        }

        var phi = SamplePhi();
        var leaks = exported.SelectMany(e => phi.Where(p => e.Text.Contains(p, StringComparison.OrdinalIgnoreCase)).Select(p => $"{e.Kind}: '{p}' in {e.Text[..Math.Min(300, e.Text.Length)]}")).Distinct().ToList();
        Assert.True(leaks.Count == 0, $"PHI in exported telemetry ({exported.Count} items scanned):\n" + string.Join("\n", leaks.Take(20)));
        Assert.True(exported.Count > 100, $"only {exported.Count} items exported: the scan would prove little");
    }

    /// <summary>The sample package's names, dates (as the letters and forms write them) and diagnoses.</summary>
    private static List<string> SamplePhi()
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(TestEnvironment.SampleCaseFolder, "manifest.json")))!;
        var injury = DateOnly.Parse((string)manifest["worker"]!["dateOfInjury"]!, System.Globalization.CultureInfo.InvariantCulture);
        var phi = new List<string>
        {
            (string)manifest["worker"]!["name"]!, (string)manifest["worker"]!["mechanism"]!, (string)manifest["employer"]!,
            (string)manifest["requestingPhysician"]!["name"]!, (string)manifest["requestingPhysician"]!["medicalGroup"]!,
            (string)manifest["requestingPhysician"]!["facility"]!, (string)manifest["utilizationReview"]!["reviewer"]!,
            injury.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), injury.ToString("MM/dd/yyyy", System.Globalization.CultureInfo.InvariantCulture),
            injury.ToString("MMMM d, yyyy", System.Globalization.CultureInfo.InvariantCulture),
            "bilateral hip", "low back", "lumbar spine", "hip replacement", "painful range of motion", "02/14/2012",
        };
        phi.AddRange(manifest["worker"]!["bodyParts"]!.AsArray().Select(b => (string)b!));
        phi.AddRange(manifest["disputedItems"]!.AsArray().Select(i => (string)i!["description"]!));
        return phi.Where(p => p.Length >= 6).Distinct().ToList();
    }
}
