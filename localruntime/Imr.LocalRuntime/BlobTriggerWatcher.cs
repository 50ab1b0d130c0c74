using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Imr.Functions.Storage;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace Imr.LocalRuntime;

/// <summary>
/// Polls the containers of blob-triggered functions and hands each new or changed blob to the function once,
/// keeping receipts (name + ETag) in a table as the Functions host keeps blob receipts. A blob that fails
/// five times is marked poisoned and left in place (intake's own sweep finds it later). No single blob stops the watcher:
/// each is handled on its own, and a name the storage emulator cannot list is found and delivered by name.
/// </summary>
public sealed class BlobTriggerWatcher(FunctionCatalog catalog, IServiceProvider services, StorageClients storage, IConfiguration configuration, IOptions<LocalRuntimeOptions> options, ILogger<BlobTriggerWatcher> logger) : BackgroundService
{
    // Listings without the SDK's retries: Azurite's 500 for an unlistable name is not transient, and retried it would cost
    // seconds per page. A listing that fails for another reason is tried again at the next scan.
    private readonly BlobServiceClient _listing = ListingClient(configuration, services, storage);

    private static BlobServiceClient ListingClient(IConfiguration configuration, IServiceProvider services, StorageClients storage)
    {
        if (configuration[StorageNames.Connection] is not { Length: > 0 } connection)
        {
            return storage.Blobs;
        }

        var options = new BlobClientOptions { Retry = { MaxRetries = 0, NetworkTimeout = TimeSpan.FromSeconds(30) } };
        if (services.GetService<StorageRequestCounter>() is { } counter)
        {
            options.AddPolicy(counter.PolicyFor("blob"), Azure.Core.HttpPipelinePosition.PerRetry); // the benchmark counts these too
        }

        return new BlobServiceClient(connection, options);
    }

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
        await foreach (var (name, etag) in ListAsync(_listing.GetBlobContainerClient(container), ct))
        {
            // One blob never stops the others: whatever fails here is logged and the scan goes on.
            try
            {
                await DeliverAsync(f, receipts, containerClient, name, etag, ct);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                logger.LogError(ex, "Blob trigger {Function}: a blob could not be handled; the scan continues", f.Name);
            }
        }
    }

    private async Task DeliverAsync(FunctionEntry f, TableClient receipts, BlobContainerClient containerClient, string name, string etag, CancellationToken ct)
    {
        var key = ReceiptKey(name);
        if (_settled.TryGetValue((f.Name, key), out var settledEtag) && settledEtag == etag)
        {
            return;
        }

        var receipt = await receipts.GetEntityIfExistsAsync<TableEntity>(f.Name, key, cancellationToken: ct);
        if (receipt.HasValue && receipt.Value!.GetString("ETag") == etag && (receipt.Value.GetBoolean("Done") == true || receipt.Value.GetInt32("Attempts") >= MaxAttempts))
        {
            _settled[(f.Name, key)] = etag;
            return;
        }

        var attempts = receipt.HasValue && receipt.Value!.GetString("ETag") == etag ? receipt.Value.GetInt32("Attempts") ?? 0 : 0;
        var blob = containerClient.GetBlobClient(name);
        var done = false;
        try
        {
            await FunctionInvoker.InvokeAsync(f, services, p =>
            {
                if (p.Position == f.TriggerParameter.Position && p.ParameterType == typeof(BlobClient)) return (true, blob);
                if (p.ParameterType == typeof(string) && p.Name == "name") return (true, name);
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

    /// <summary>
    /// The container's blobs (name, ETag). Azurite cannot list a blob whose name holds a character XML cannot carry
    /// (U+0000–U+001F, U+FFFE, U+FFFF): the whole listing answers 500, which would stop all intake. Azure encodes such names
    /// (<c>Encoded="true"</c>); Azurite does not. So pages continue from a start name (<c>startFrom</c>, which unlike a marker
    /// Azurite does not echo back in its XML); when a page fails, smaller pages go as far as they can, the first blob that
    /// cannot be listed is found by its name (see <see cref="FindUnlistableAsync"/>), delivered like any other, and the
    /// listing goes on after it. In Azure the Functions host lists, not this class.
    /// </summary>
    private async IAsyncEnumerable<(string Name, string ETag)> ListAsync(BlobContainerClient container, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        string? from = null;
        var pageSize = 5000;
        for (var pages = 0; pages < 100_000; pages++)
        {
            var page = await TryPageAsync(container, from, pageSize, ct);
            if (page is not null)
            {
                foreach (var item in page.Values)
                {
                    yield return (item.Name, item.Properties.ETag?.ToString() ?? "");
                }

                if (page.Values.Count < pageSize)
                {
                    yield break;
                }

                from = page.Values[^1].Name + '\0'; // the next name after it
                pageSize = 5000;
                continue;
            }

            if (pageSize > 1)
            {
                pageSize = Math.Max(1, pageSize / 8); // narrow down to the blob that breaks the page
                continue;
            }

            var unlistable = await FindUnlistableAsync(container, from ?? "", ct);
            if (unlistable is null)
            {
                logger.LogError("Blob listing of {Container} fails at a blob whose name could not be found; the rest of the container waits for the next scan", container.Name);
                yield break;
            }

            logger.LogWarning("Blob listing of {Container}: a blob whose name cannot be listed was found by searching and is delivered by name", container.Name);
            string etag;
            try
            {
                etag = (await container.GetBlobClient(unlistable).GetPropertiesAsync(cancellationToken: ct)).Value.ETag.ToString();
            }
            catch (RequestFailedException)
            {
                etag = "";
            }

            yield return (unlistable, etag);
            from = unlistable + '\0';
            pageSize = 5000;
        }
    }

    // (start → name) of blobs found by searching, so a blob that stays (poisoned) is not searched for again on every scan.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Container, string From), string> _unlistable = new();

    /// <summary>
    /// The name of an unlistable blob at or after <paramref name="from"/>, given that the first blob from there is one.
    /// Bad(s) — "listing one blob from s fails" — says whether the first name at or after s is unlistable. The search keeps a
    /// prefix p and a lower bound l (Bad(l), and the first name from l starts with p) and finds the next character by
    /// bisection over the UTF-16 code units (surrogates excluded), as Azurite compares names: wherever Bad turns from true at
    /// s to false at the next character, the first name from s starts with s. About 17 small listings per character;
    /// bounded by the longest blob name. Null when the name cannot be found (e.g. characters outside the BMP).
    /// </summary>
    private async Task<string?> FindUnlistableAsync(BlobContainerClient container, string from, CancellationToken ct)
    {
        if (_unlistable.TryGetValue((container.Name, from), out var known) && await ExistsAsync(container, known, ct))
        {
            return known;
        }

        var p = "";
        var l = from;
        for (var steps = 0; steps < 1100; steps++)
        {
            if (l == p && p.Length > 0 && await ExistsAsync(container, p, ct))
            {
                _unlistable[(container.Name, from)] = p;
                return p; // the first name from p is p itself
            }

            // Indexes into the alphabet: lo is l itself (Bad), candidates p + CodeAt(i) for i > lo are all after l.
            var lo = l == p ? -1 : IndexOf(l[p.Length]);
            var hi = Alphabet - 1;
            if (await BadAsync(container, p + CodeAt(hi), ct))
            {
                p += CodeAt(hi);
                l = p;
                continue;
            }

            var start = lo;
            while (hi - lo > 1)
            {
                var mid = lo + (hi - lo) / 2;
                if (await BadAsync(container, p + CodeAt(mid), ct))
                {
                    lo = mid;
                }
                else
                {
                    hi = mid;
                }
            }

            if (lo == start)
            {
                // Bad at l, not at p + CodeAt(hi): the first name from l is below p + CodeAt(hi).
                if (l == p)
                {
                    return null; // only p itself would fit, and it does not exist
                }

                p += l[p.Length];
            }
            else
            {
                p += CodeAt(lo);
                l = p;
            }
        }

        return null;
    }

    private const int Alphabet = 0x10000 - 0x800; // UTF-16 code units without the surrogate range

    private static char CodeAt(int index) => (char)(index < 0xD800 ? index : index + 0x800);

    private static int IndexOf(char c) => c < 0xD800 ? c : c >= 0xE000 ? c - 0x800 : 0xD7FF;

    private static async Task<bool> ExistsAsync(BlobContainerClient container, string name, CancellationToken ct)
    {
        try
        {
            return (await container.GetBlobClient(name).ExistsAsync(ct)).Value;
        }
        catch (RequestFailedException)
        {
            return false;
        }
    }

    private static async Task<bool> BadAsync(BlobContainerClient container, string from, CancellationToken ct) =>
        await TryPageAsync(container, from, 1, ct) is null;

    /// <summary>One page of the listing from a name on, or null when Azurite cannot serialise it (500 with no body, which the SDK reports as an XML error).</summary>
    private static async Task<Page<BlobItem>?> TryPageAsync(BlobContainerClient container, string? from, int pageSize, CancellationToken ct)
    {
        try
        {
            await foreach (var page in container.GetBlobsAsync(new GetBlobsOptions { StartFrom = string.IsNullOrEmpty(from) ? null : from }, ct).AsPages(null, pageSize))
            {
                return page;
            }

            return Page<BlobItem>.FromValues([], null, null!);
        }
        catch (Exception ex) when (ex is System.Xml.XmlException or RequestFailedException { Status: 500 })
        {
            return null;
        }
    }

    // Table keys cannot hold '/', '\', '#' or '?': encode the blob name.
    private static string ReceiptKey(string name) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(name)).Replace('/', '_');
}
