using Imr.Functions;
using Imr.Functions.Telemetry;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Services.AddImrApplication(builder.Configuration);
// Traces, metrics and logs through OpenTelemetry (exporters by setting: functions/Telemetry/TelemetrySetup.cs); the
// worker's defaults add the function invocation spans and the host's resource attributes.
builder.Services.AddImrTelemetry(builder.Configuration).UseFunctionsWorkerDefaults();
builder.Build().Run();
