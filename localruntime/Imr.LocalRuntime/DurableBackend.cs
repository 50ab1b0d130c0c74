using System.Net;
using System.Net.Sockets;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using DurableTask.AzureStorage;
using DurableTask.Core;
using Imr.Functions.Storage;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask.Testing.Sidecar;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;

namespace Imr.LocalRuntime;

/// <summary>
/// The Durable Task gRPC sidecar (<see cref="TaskHubGrpcServer"/>) over an orchestration service, served on loopback over HTTP/2.
/// The Durable Task worker and client of the app connect to it, as the Functions host's Durable extension does in Azure.
/// </summary>
public sealed class DurableBackend : IAsyncDisposable
{
    private readonly WebApplication _sidecar;
    private readonly DrainingOrchestrationService _work;

    private DurableBackend(WebApplication sidecar, DrainingOrchestrationService work, Uri address)
    {
        _sidecar = sidecar;
        _work = work;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>The most the sidecar waits for its dispatchers and open gRPC streams when it stops (after the worker has gone).</summary>
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(3);

    public static async Task<DurableBackend> StartAsync(LocalRuntimeOptions options, string storageConnectionString, ILoggerFactory loggerFactory, StorageRequestCounter? counter = null, CancellationToken ct = default)
    {
        var port = FreeLoopbackPort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        HostWithoutSignalHandling.Configure(builder.Services, StopTimeout);

        object service;
        if (options.Backend == DurableBackendKind.AzureStorage)
        {
            var settings = new AzureStorageOrchestrationServiceSettings
            {
                StorageAccountClientProvider = ClientProvider(storageConnectionString, counter, options.TaskHub),
                TaskHubName = options.TaskHub,
                WorkerId = options.WorkerId,
                PartitionCount = options.PartitionCount,
                MaxQueuePollingInterval = options.MaxQueuePollingInterval,
                ControlQueueVisibilityTimeout = options.ControlQueueVisibilityTimeout,
                WorkItemQueueVisibilityTimeout = options.WorkItemQueueVisibilityTimeout,
                MaxConcurrentTaskActivityWorkItems = options.MaxConcurrentActivities,
                MaxConcurrentTaskOrchestrationWorkItems = options.MaxConcurrentOrchestrations,
                LoggerFactory = loggerFactory,
            };
            if (options.ControlQueueBatchSize is { } batch) settings.ControlQueueBatchSize = batch;
            if (options.MaxStorageOperationConcurrency is { } storageConcurrency) settings.MaxStorageOperationConcurrency = storageConcurrency;
            if (options.LeaseRenewInterval is { } renew) settings.LeaseRenewInterval = renew;
            if (options.UseTablePartitionManagement is { } tableLeases) settings.UseTablePartitionManagement = tableLeases;
            var azure = new AzureStorageOrchestrationService(settings);
            // Create the task hub's queues and tables; never StartAsync here: the sidecar's dispatcher starts the service once.
            await azure.CreateIfNotExistsAsync();
            service = azure;
        }
        else
        {
            service = new InMemoryOrchestrationService(loggerFactory);
        }

        // The dispatchers fetch work through the drain (see DrainAsync); clients (start, raise, query) use the service itself.
        // The dispatchers' limits come from the options on both backends (the in-memory service's own follow the processor count).
        var work = new DrainingOrchestrationService((IOrchestrationService)service, loggerFactory.CreateLogger<DrainingOrchestrationService>(),
            (options.MaxConcurrentOrchestrations, options.MaxConcurrentActivities));
        builder.Services.AddSingleton<IOrchestrationService>(work);
        builder.Services.AddSingleton((IOrchestrationServiceClient)service);
        builder.Services.AddSingleton<TaskHubGrpcServer>();
        var app = builder.Build();
        app.MapGrpcService<TaskHubGrpcServer>();
        await app.StartAsync(ct);
        return new DurableBackend(app, work, new Uri($"http://127.0.0.1:{port}"));
    }

    /// <summary>Durable work items handed to the worker and not yet finished.</summary>
    public int WorkInFlight => _work.WorkItems;

    /// <summary>
    /// Hands the worker no more work items and waits, at most <paramref name="timeout"/>, for those it is running to be
    /// completed. True when none is left; what is left is abandoned at the stop and runs again after the next start.
    /// </summary>
    public Task<bool> DrainAsync(TimeSpan timeout) => _work.DrainAsync(timeout);

    public async ValueTask DisposeAsync()
    {
        await _sidecar.StopAsync();
        await _sidecar.DisposeAsync();
        _work.Dispose();
    }

    /// <summary>The provider's storage clients; with a counter, its requests are counted like the app's.</summary>
    private static StorageAccountClientProvider ClientProvider(string connectionString, StorageRequestCounter? counter, string taskHub)
    {
        if (counter is null)
        {
            return new StorageAccountClientProvider(connectionString);
        }

        var blob = new BlobClientOptions();
        blob.AddPolicy(counter.PolicyFor("blob"), HttpPipelinePosition.PerRetry);
        var queue = new QueueClientOptions();
        queue.AddPolicy(counter.PolicyFor("queue"), HttpPipelinePosition.PerRetry);
        var table = new TableClientOptions();
        table.AddPolicy(counter.PolicyFor("table", batchOwner: taskHub), HttpPipelinePosition.PerRetry); // its history batches, counted as its own
        return new StorageAccountClientProvider(
            StorageServiceClientProvider.ForBlob(connectionString, blob),
            StorageServiceClientProvider.ForQueue(connectionString, queue),
            StorageServiceClientProvider.ForTable(connectionString, table));
    }

    /// <summary>
    /// A loopback port that is free now, picked at random below the kernel's ephemeral range (32768–60999 on Linux).
    /// A port from the ephemeral range (bind to 0) can be taken by any outgoing connection between the pick and the
    /// server's bind, which failed test runs with "address already in use"; outgoing connections never use these.
    /// </summary>
    public static int FreeLoopbackPort()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(20000, 32000);
            try
            {
                using var candidate = new TcpListener(IPAddress.Loopback, port);
                candidate.Start();
                return port;
            }
            catch (SocketException)
            {
                // In use: try another.
            }
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
