using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Imr.Functions.Storage;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace Imr.LocalRuntime;

/// <summary>
/// Polls the containers of blob-triggered functions and hands each new or changed blob to the function once,
/// keeping receipts (name + ETag) in a table as the Functions host keeps blob receipts. A blob that fails
/// five times is marked poisoned and left in place.
/// </summary>
public sealed class BlobTriggerWatcher(FunctionCatalog catalog, IServiceProvider services, StorageClients storage, IOptions<LocalRuntimeOptions> options, ILogger<BlobTriggerWatcher> logger) : BackgroundService
{
    public const string ReceiptsTable = "LocalBlobReceipts";
    private const int MaxAttempts = 5;

    // Blobs (by function and name) whose receipt for an ETag is settled (done or poisoned): a settled receipt never
    // changes for that ETag, so later scans skip them without a table read. Without this every poll read one receipt
    // per blob in the container — the largest single cost of the 500-case benchmark (bench/results/macro-500.md).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Function, string Key), string> _settled = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var receipts = storage.Table(ReceiptsTable);
        await receipts.CreateIfNotExistsAsync(stoppingToken);
        var triggers = catalog.OfKind(TriggerKind.Blob).ToList();
        while (!stoppingToken.IsCancellationRequested)
        {
            foreach (var f in triggers)
            {
                try
                {
                    await ScanAsync(f, receipts, stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogError(ex, "Scanning for blob trigger {Function} failed", f.Name);
                }
            }

            try
            {
                await Task.Delay(options.Value.BlobPollInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ScanAsync(FunctionEntry f, TableClient receipts, CancellationToken ct)
    {
        var container = f.Blob.BlobPath.Split('/')[0];
        var containerClient = storage.Container(container);
        await foreach (var item in containerClient.GetBlobsAsync(cancellationToken: ct))
        {
            var key = ReceiptKey(item.Name);
            var etag = item.Properties.ETag?.ToString() ?? "";
            if (_settled.TryGetValue((f.Name, key), out var settledEtag) && settledEtag == etag)
            {
                continue;
            }

            var receipt = await receipts.GetEntityIfExistsAsync<TableEntity>(f.Name, key, cancellationToken: ct);
            if (receipt.HasValue && receipt.Value!.GetString("ETag") == etag && (receipt.Value.GetBoolean("Done") == true || receipt.Value.GetInt32("Attempts") >= MaxAttempts))
            {
                _settled[(f.Name, key)] = etag;
                continue;
            }

            var attempts = receipt.HasValue && receipt.Value!.GetString("ETag") == etag ? receipt.Value.GetInt32("Attempts") ?? 0 : 0;
            var blob = containerClient.GetBlobClient(item.Name);
            var done = false;
            try
            {
                await FunctionInvoker.InvokeAsync(f, services, p =>
                {
                    if (p.Position == f.TriggerParameter.Position && p.ParameterType == typeof(BlobClient)) return (true, blob);
                    if (p.ParameterType == typeof(string) && p.Name == "name") return (true, item.Name);
                    if (p.ParameterType == typeof(CancellationToken)) return (true, ct);
                    if (p.ParameterType == typeof(DurableTaskClient)) return (true, services.GetRequiredService<DurableTaskClient>());
                    return (false, null);
                });
                done = true;
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                logger.LogError(ex, "Blob trigger {Function} failed (attempt {Attempt})", f.Name, attempts + 1);
            }

            await receipts.UpsertEntityAsync(new TableEntity(f.Name, key) { ["ETag"] = etag, ["Done"] = done, ["Attempts"] = attempts + 1 }, TableUpdateMode.Replace, ct);
            if (done || attempts + 1 >= MaxAttempts)
            {
                _settled[(f.Name, key)] = etag;
            }
        }
    }

    // Table keys cannot hold '/', '\', '#' or '?': encode the blob name.
    private static string ReceiptKey(string name) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(name)).Replace('/', '_');
}
