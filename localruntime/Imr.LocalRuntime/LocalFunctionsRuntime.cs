using System.Text.Json;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting.Server;
using Imr.Domain.Cases;
using Imr.Domain.Reviewers;
using Imr.Functions;
using Imr.Functions.Storage;
using Imr.Functions.Telemetry;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;

namespace Imr.LocalRuntime;

/// <summary>
/// The Functions app without the Functions host: the same function classes, served over HTTP on the same routes,
/// their blob and timer triggers driven locally, and their orchestrations run on a durable backend.
/// </summary>
public sealed class LocalFunctionsRuntime : IAsyncDisposable
{
    private readonly DurableBackend _backend;
    private readonly GrpcChannel _channel;

    private readonly ILoggerFactory _sidecarLogging;
    private readonly StopFlag _stopping;

    private LocalFunctionsRuntime(WebApplication app, DurableBackend backend, GrpcChannel channel, FunctionCatalog catalog, ILoggerFactory sidecarLogging, StopFlag stopping, string functionKey)
    {
        FunctionKey = functionKey;
        _sidecarLogging = sidecarLogging;
        _stopping = stopping;
        App = app;
        _backend = backend;
        _channel = channel;
        Catalog = catalog;
    }

    public WebApplication App { get; }
    public FunctionCatalog Catalog { get; }
    public IServiceProvider Services => App.Services;
    public DurableTaskClient DurableClient => Services.GetRequiredService<DurableTaskClient>();
    public Uri BaseAddress => new(App.Urls.First());

    /// <summary>The key management routes need (header <c>x-functions-key</c>): LocalRuntime:FunctionKey, or one made for this start.</summary>
    public string FunctionKey { get; }

    /// <param name="counter">Counts every storage request of the app and of the durable provider (the benchmark uses it).</param>
    public static async Task<LocalFunctionsRuntime> StartAsync(IConfiguration configuration, Action<ILoggingBuilder>? logging = null, StorageRequestCounter? counter = null, CancellationToken ct = default)
    {
        var options = configuration.GetSection(LocalRuntimeOptions.Section).Get<LocalRuntimeOptions>() ?? new LocalRuntimeOptions();
        var catalog = new FunctionCatalog(typeof(ImrServiceCollectionExtensions).Assembly);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddConfiguration(configuration);
        builder.Logging.ClearProviders();
        if (logging is not null) logging(builder.Logging);
        else builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.WebHost.UseUrls(options.HttpUrl);
        HostWithoutSignalHandling.Configure(builder.Services, StopTimeout);
        // A requested stop cancels the worker's in-flight gRPC calls, which the SDK logs as unexpected errors; the work
        // items are not lost (the backend delivers them again after a restart), so a stop keeps those quiet.
        var stopping = new StopFlag();
        builder.Logging.AddFilter("Microsoft.DurableTask", level => level >= LogLevel.Warning && (!stopping.Requested || level >= LogLevel.Critical));

        // The sidecar (started first so the worker can connect) logs through its own factory, kept for the runtime's life.
        var sidecarLogging = LoggerFactory.Create(l => { if (logging is not null) logging(l); else l.AddSimpleConsole(o => o.SingleLine = true); l.AddFilter("DurableTask", LogLevel.Warning); l.AddFilter("Microsoft", LogLevel.Warning); });
        var storage = StorageClients.FromConfiguration(configuration, counter: counter);
        await storage.EnsureCreatedAsync(ct);
        var durableConnection = options.DurableStorage ?? configuration[StorageNames.Connection]
            ?? throw new InvalidOperationException("The local runtime needs a storage connection string (ImrStorage or LocalRuntime:DurableStorage).");
        var backend = await DurableBackend.StartAsync(options, durableConnection, sidecarLogging, counter, ct);
        var channel = GrpcChannel.ForAddress(backend.Address);

        builder.Services.Configure<LocalRuntimeOptions>(configuration.GetSection(LocalRuntimeOptions.Section));
        if (counter is not null) builder.Services.AddSingleton(counter);
        builder.Services.AddImrApplication(builder.Configuration);
        builder.Services.AddImrTelemetry(builder.Configuration); // exporters by setting, as in Azure (docs/operations.md)
        builder.Services.AddSingleton(catalog);
        builder.Services.AddMvcCore(); // executes the IActionResult values the HTTP functions return
        builder.Services.AddDurableTaskWorker(b =>
        {
            b.UseGrpc(channel);
            b.AddTasks(r => r.AddFunctions(catalog));
            b.Configure(o => o.MaximumTimerInterval = options.MaximumTimerInterval);
            // As host.json's defaultVersion/versionMatchStrategy/versionFailureStrategy in Azure: this worker runs cases of
            // its version and older ones (each on its own branch), and leaves newer ones to a newer worker.
            b.UseVersioning(new DurableTaskWorkerOptions.VersioningOptions
            {
                Version = options.WorkflowVersion,
                DefaultVersion = options.WorkflowVersion,
                MatchStrategy = DurableTaskWorkerOptions.VersionMatchStrategy.CurrentOrOlder,
                FailureStrategy = DurableTaskWorkerOptions.VersionFailureStrategy.Reject,
            });
        });
        builder.Services.AddDurableTaskClient(b => b.UseGrpc(channel).UseDefaultVersion(options.WorkflowVersion));
        builder.Services.AddHostedService<BlobTriggerWatcher>();
        builder.Services.AddHostedService<TimerTriggerScheduler>();

        var app = builder.Build();
        // As in Azure, function-level routes need a key; none configured: a random one, good for this start only.
        var functionKey = string.IsNullOrEmpty(options.FunctionKey) ? Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)) : options.FunctionKey;
        app.MapFunctionRoutes(catalog, functionKey);
        await SeedRosterAsync(app.Services, options, ct);
        await app.StartAsync(ct);
        return new LocalFunctionsRuntime(app, backend, channel, catalog, sidecarLogging, stopping, functionKey);
    }

    /// <summary>
    /// The most the app's host waits for its hosted services (HTTP, triggers, the durable worker) to stop. Activities
    /// still running are abandoned and their work items run again (they are idempotent); a clean stop must fit in 10 s.
    /// </summary>
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The most a stop waits for the steps in flight to finish (within the 10 s a clean stop has).</summary>
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(4);

    /// <summary>
    /// Stops in dependency order: HTTP stops accepting requests; the sidecar hands out no more work and the steps the
    /// worker is running finish (the worker would otherwise cancel their completions); then triggers and worker; the
    /// sidecar they talk to last.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        _stopping.Requested = true;
        var log = Services.GetRequiredService<ILoggerFactory>().CreateLogger("Imr.LocalRuntime");
        await Services.GetRequiredService<IServer>().StopAsync(CancellationToken.None); // the app's stop below finds it stopped
        var inFlight = _backend.WorkInFlight;
        if (inFlight > 0) log.LogInformation("Stopping: {Count} durable work item(s) in flight, letting them finish", inFlight);
        if (!await _backend.DrainAsync(DrainTimeout))
        {
            log.LogWarning("Stopping: {Count} durable work item(s) still in flight after {Seconds} s; they run again after the next start", _backend.WorkInFlight, DrainTimeout.TotalSeconds);
        }
        else if (inFlight > 0)
        {
            log.LogInformation("Stopping: the work in flight finished");
        }

        await App.StopAsync();
        await App.DisposeAsync();
        await _channel.ShutdownAsync();
        _channel.Dispose();
        await _backend.DisposeAsync();
        _sidecarLogging.Dispose();
    }

    private static async Task SeedRosterAsync(IServiceProvider services, LocalRuntimeOptions options, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(options.RosterSeedFile))
        {
            return;
        }

        var reviewers = JsonSerializer.Deserialize<List<Reviewer>>(await File.ReadAllBytesAsync(options.RosterSeedFile, ct), CasePackage.JsonOptions) ?? [];
        var roster = services.GetRequiredService<RosterStore>();
        foreach (var r in reviewers)
        {
            await roster.UpsertAsync(r, ct);
        }
    }
}

/// <summary>
/// Hosts of the local runtime do not react to SIGINT/SIGTERM themselves (the default console lifetime would stop the
/// app and the sidecar at once, in no order, and leave Main waiting): Program handles the signals and disposes the
/// runtime, which stops them in order. Also bounds how long a host waits for its services to stop.
/// </summary>
internal sealed class HostWithoutSignalHandling : IHostLifetime
{
    public static void Configure(IServiceCollection services, TimeSpan stopTimeout)
    {
        services.AddSingleton<IHostLifetime, HostWithoutSignalHandling>();
        services.Configure<HostOptions>(o => o.ShutdownTimeout = stopTimeout);
    }

    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Set when the runtime is asked to stop (read by a logging filter).</summary>
internal sealed class StopFlag
{
    private volatile bool _requested;

    public bool Requested { get => _requested; set => _requested = value; }
}
