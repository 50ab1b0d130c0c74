namespace Imr.LocalRuntime;

public enum DurableBackendKind
{
    /// <summary>The Durable Task Framework's Azure Storage provider: the backend Durable Functions uses in Azure. Survives restarts.</summary>
    AzureStorage,
    /// <summary>In memory: fast, for tests and as the benchmark's upper bound. Lost on exit.</summary>
    InMemory,
}

/// <summary>Settings under <c>LocalRuntime</c>; defaults are the measured ones (see ../shared notes and README).</summary>
public sealed class LocalRuntimeOptions
{
    public const string Section = "LocalRuntime";

    public string HttpUrl { get; set; } = "http://127.0.0.1:7071";
    /// <summary>
    /// The function key management routes need (header <c>x-functions-key</c> or query <c>code</c>), as in Azure. Empty:
    /// run.sh's key in .local/function-key (Program), or a random one per start (tests set their own).
    /// </summary>
    public string? FunctionKey { get; set; }
    public DurableBackendKind Backend { get; set; } = DurableBackendKind.AzureStorage;
    public string TaskHub { get; set; } = "imrlocal";
    /// <summary>Stable across restarts so the runtime retakes its partition leases at once.</summary>
    public string WorkerId { get; set; } = "imr-local-runtime";
    /// <summary>Connection string of the durable task hub's storage; defaults to the app's <c>ImrStorage</c>.</summary>
    public string? DurableStorage { get; set; }
    public int PartitionCount { get; set; } = 4;
    public TimeSpan MaxQueuePollingInterval { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan ControlQueueVisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);
    public TimeSpan WorkItemQueueVisibilityTimeout { get; set; } = TimeSpan.FromMinutes(2);
    /// <summary>Activity work items the sidecar's dispatcher runs at once, on either durable backend.</summary>
    public int MaxConcurrentActivities { get; set; } = 100;
    /// <summary>Orchestration work items the sidecar's dispatcher runs at once, on either durable backend.</summary>
    public int MaxConcurrentOrchestrations { get; set; } = 100;

    // Further Azure Storage provider settings, for tuning runs (bench/run.sh --tune, --set LocalRuntime:X=Y); unset: the
    // provider's own default, as Durable Functions uses them unless host.json says otherwise. Extended sessions are not
    // offered: the sidecar's dispatcher never fetches a session's new messages (Microsoft.DurableTask.InProcessTestHost).
    /// <summary>Control-queue messages fetched per poll (provider default 32).</summary>
    public int? ControlQueueBatchSize { get; set; }
    /// <summary>Storage operations the provider runs at once (provider default 25 × processors).</summary>
    public int? MaxStorageOperationConcurrency { get; set; }
    /// <summary>How often partition leases are renewed (provider default 10 s): a background cost per partition.</summary>
    public TimeSpan? LeaseRenewInterval { get; set; }
    /// <summary>Partition leases in a table instead of blobs (provider default off).</summary>
    public bool? UseTablePartitionManagement { get; set; }
    /// <summary>
    /// Longest single durable timer; longer ones are split by the SDK (the Azure Storage provider holds at most 6 days).
    /// The SDK's default, 3 days; changing it breaks in-flight orchestrations' replay, so only tests lower it.
    /// </summary>
    public TimeSpan MaximumTimerInterval { get; set; } = TimeSpan.FromDays(3);
    /// <summary>
    /// The case workflow version this runtime's worker runs and starts new cases on (host.json's defaultVersion in Azure);
    /// only tests set an older one, to start cases as a previous deployment did.
    /// </summary>
    public string WorkflowVersion { get; set; } = Imr.Functions.Workflow.CaseWorkflowVersions.Current;
    public TimeSpan BlobPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How many folders' blobs (in intake: cases) a scan delivers at once. The Functions host runs blob triggers
    /// concurrently; one at a time made a burst's intake the bottleneck (upload→Received p50 68 s of 200 cases; 14.6 s
    /// with 8 at once, 8.4 s with 32: docs/benchmarks.md, "Fourth #13 session").
    /// </summary>
    public int BlobTriggerConcurrency { get; set; } = 32;
    /// <summary>
    /// How long a handled blob must stay in its container before the blob watcher writes its receipt (so a restart does not
    /// apply it again). Blobs their function removes sooner (intake) never cost a receipt; a redelivery after a restart
    /// within this time is answered as a duplicate.
    /// </summary>
    public TimeSpan BlobReceiptDelay { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>
    /// The file name a folder's delivery ends with (intake: the manifest). Event Grid delivers blobs in the order they were
    /// written, and a case's manifest is written after its documents; a listing gives names in alphabetical order and
    /// times to the second, so the watcher would deliver "manifest.json" before "records.pdf" of the same upload. Then
    /// each document's delivery came after the manifest had moved it away and cost a read of the intake row and of the
    /// gone blob instead of the one read a document before its manifest costs (2 requests per case of the benchmark).
    /// </summary>
    public string DeliveredLast { get; set; } = Imr.Domain.Cases.CaseNames.ManifestFileName;
    /// <summary>A JSON file of reviewers imported into the roster at start (upsert); empty: none.</summary>
    public string? RosterSeedFile { get; set; }
}
