using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Imr.Functions.Storage;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace Imr.LocalRuntime;

/// <summary>
/// Polls the containers of blob-triggered functions and hands each new or changed blob (name + ETag) to the function once.
/// A blob that fails five times is marked poisoned and left in place (intake's own sweep finds it later). No single blob
/// stops the watcher: each is handled on its own, and a name the storage emulator cannot list is found and delivered by name.
/// <para>
/// What a poll costs grows with new blobs, not with the blobs already handled (in Azure, Event Grid delivers each blob once
/// and the host keeps no receipt per blob). Receipts (a row per function and blob name in <see cref="ReceiptsTable"/>) are
/// all read once at start, into memory, and from then on memory decides: a blob never seen before costs no read. A receipt is
/// written only where it protects something across a restart:
/// <list type="bullet">
/// <item>a failed delivery, so that the attempts count toward poisoning after a restart too, and a poisoned blob stays
/// poisoned;</item>
/// <item>a handled blob that stays in its container (a roster import; a document still waiting for its manifest), once it
/// has stayed <see cref="LocalRuntimeOptions.BlobReceiptDelay"/>, so that a restart does not apply it again.</item>
/// </list>
/// A blob handled and removed by its function (the intake path: a case's files are moved away at acceptance) needs none:
/// if the runtime stops between the delivery and the removal, the next start delivers it again, which intake answers as a
/// duplicate (CaseIntake is idempotent for repeated deliveries; so is a roster import). So a case's intake costs no receipt
/// request at all. Receipts of blobs no longer listed are deleted (and forgotten) after a complete scan, which keeps the
/// table and the map to the blobs that are there.
/// </para>
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

    /// <summary>What this runtime knows of a blob (by function and receipt key), for the ETag it last delivered.</summary>
    private sealed class Receipt
    {
        public required string ETag { get; set; }
        public int Attempts { get; set; }
        public bool Done { get; set; }
        /// <summary>The table holds a row for this blob (possibly for an older ETag or attempt).</summary>
        public bool HasRow { get; set; }
        /// <summary>The row says exactly what this receipt says.</summary>
        public bool RowCurrent { get; set; }
        /// <summary>When the last delivery ended (Stopwatch timestamp); 0 for a receipt loaded at start.</summary>
        public long HandledAt { get; set; }

        public bool Settled => Done || Attempts >= MaxAttempts;
    }

    // Per function: receipt key → receipt. Only the scan of that function touches its map (one scan at a time; within a
    // scan, deliveries of different folders run at once, each on its own keys).
    private readonly Dictionary<string, ConcurrentDictionary<string, Receipt>> _receipts = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var receipts = storage.Table(ReceiptsTable);
        await receipts.CreateIfNotExistsAsync(stoppingToken);
        var triggers = catalog.OfKind(TriggerKind.Blob).ToList();
        foreach (var f in triggers) _receipts[f.Name] = new(StringComparer.Ordinal);
        await LoadReceiptsAsync(receipts, stoppingToken);
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

    /// <summary>All receipts in one query (the table holds only failed, poisoned and staying blobs' rows).</summary>
    private async Task LoadReceiptsAsync(TableClient receipts, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await foreach (var row in receipts.QueryAsync<TableEntity>(select: ["PartitionKey", "RowKey", "ETag", "Done", "Attempts"], cancellationToken: ct))
                {
                    if (_receipts.TryGetValue(row.PartitionKey, out var map))
                    {
                        map[row.RowKey] = new Receipt { ETag = row.GetString("ETag") ?? "", Attempts = row.GetInt32("Attempts") ?? 0, Done = row.GetBoolean("Done") == true, HasRow = true, RowCurrent = true };
                    }
                }

                return;
            }
            catch (RequestFailedException ex) when (!ct.IsCancellationRequested)
            {
                foreach (var map in _receipts.Values) map.Clear();
                if (attempt >= 5)
                {
                    // Blind rather than stopped: a poisoned blob is then tried again, which intake answers as before.
                    logger.LogError(ex, "Reading blob receipts failed; the watcher starts without them");
                    return;
                }

                // Without its receipts the watcher would deliver poisoned blobs again: wait for the table rather than start blind.
                logger.LogWarning(ex, "Reading blob receipts failed (attempt {Attempt}); trying again", attempt);
                await Task.Delay(TimeSpan.FromSeconds(attempt), ct);
            }
        }
    }

    private async Task ScanAsync(FunctionEntry f, TableClient receipts, CancellationToken ct)
    {
        var container = f.Blob.BlobPath.Split('/')[0];
        var containerClient = storage.Container(container);
        var map = _receipts[f.Name];
        var listing = new ListingProgress();
        var found = new List<(string Name, string ETag, string Key)>();
        await foreach (var (name, etag) in ListAsync(_listing.GetBlobContainerClient(container), listing, ct))
        {
            found.Add((name, etag, ReceiptKey(name)));
        }

        // Folders at once, as the Functions host runs blob triggers concurrently; a folder's blobs (one case's documents
        // and manifest) one after another, in the order they were written (LocalRuntimeOptions.DeliveredLast), so a case's
        // intake sees its own files in one order.
        var folders = found.GroupBy(b => FolderOf(b.Name), StringComparer.Ordinal);
        var last = options.Value.DeliveredLast;
        await Parallel.ForEachAsync(folders, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Value.BlobTriggerConcurrency), CancellationToken = ct }, async (folder, token) =>
        {
            foreach (var (name, etag, key) in DeliveryOrder(folder, b => b.Name, last))
            {
                // One blob never stops the others: whatever fails here is logged and the scan goes on.
                try
                {
                    await DeliverAsync(f, receipts, containerClient, map, key, name, etag, token);
                }
                catch (Exception ex) when (!token.IsCancellationRequested)
                {
                    logger.LogError(ex, "Blob trigger {Function}: a blob could not be handled; the scan continues", f.Name);
                }
            }
        });

        if (!listing.Complete)
        {
            return; // a blob not listed may still be there
        }

        var listed = found.Select(b => b.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var (key, receipt) in map.Where(r => !listed.Contains(r.Key)).ToList())
        {
            map.TryRemove(key, out _);
            if (receipt.HasRow)
            {
                try
                {
                    await receipts.DeleteEntityAsync(f.Name, key, ETag.All, ct); // 404 (gone already) is not an error for DeleteEntity
                }
                catch (RequestFailedException ex) when (!ct.IsCancellationRequested)
                {
                    logger.LogWarning(ex, "Blob trigger {Function}: a receipt of a removed blob could not be deleted; it is read again at the next start", f.Name);
                }
            }
        }
    }

    private async Task DeliverAsync(FunctionEntry f, TableClient receipts, BlobContainerClient containerClient, ConcurrentDictionary<string, Receipt> map, string key, string name, string etag, CancellationToken ct)
    {
        map.TryGetValue(key, out var known);
        if (known is not null && known.ETag == etag && known.Settled)
        {
            if (known.Done && !known.RowCurrent && System.Diagnostics.Stopwatch.GetElapsedTime(known.HandledAt) >= options.Value.BlobReceiptDelay)
            {
                // Handled, and still here: a restart must not apply it again.
                await WriteAsync(receipts, f.Name, key, known, ct);
            }

            return;
        }

        var attempts = known is not null && known.ETag == etag ? known.Attempts : 0;
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

        var receipt = new Receipt { ETag = etag, Attempts = attempts + 1, Done = done, HasRow = known?.HasRow == true, RowCurrent = false, HandledAt = System.Diagnostics.Stopwatch.GetTimestamp() };
        map[key] = receipt;
        if (!done)
        {
            await WriteAsync(receipts, f.Name, key, receipt, ct); // the attempt counts after a restart too
        }
    }

    /// <summary>A folder's blobs in the order to deliver them: as listed, those named <paramref name="last"/> at the end.</summary>
    public static IEnumerable<T> DeliveryOrder<T>(IEnumerable<T> folder, Func<T, string> name, string last) =>
        folder.OrderBy(b => FileOf(name(b)) == last ? 1 : 0); // stable

    private static string FileOf(string name) => name[(name.LastIndexOf('/') + 1)..];

    /// <summary>A blob's folder (a case number in intake); blobs at the container's root share the folder "".</summary>
    private static string FolderOf(string name) => name.IndexOf('/') is > 0 and var slash ? name[..slash] : "";

    private static async Task WriteAsync(TableClient receipts, string function, string key, Receipt receipt, CancellationToken ct)
    {
        await receipts.UpsertEntityAsync(new TableEntity(function, key) { ["ETag"] = receipt.ETag, ["Done"] = receipt.Done, ["Attempts"] = receipt.Attempts }, TableUpdateMode.Replace, ct);
        receipt.HasRow = true;
        receipt.RowCurrent = true;
    }

    /// <summary>Whether a listing reached the container's end (only then may receipts of blobs not listed be forgotten).</summary>
    private sealed class ListingProgress
    {
        public bool Complete { get; set; }
    }

    /// <summary>
    /// The container's blobs (name, ETag). Azurite cannot list a blob whose name holds a character XML cannot carry
    /// (U+0000–U+001F, U+FFFE, U+FFFF): the whole listing answers 500, which would stop all intake. Azure encodes such names
    /// (<c>Encoded="true"</c>); Azurite does not. So pages continue from a start name (<c>startFrom</c>, which unlike a marker
    /// Azurite does not echo back in its XML); when a page fails, smaller pages go as far as they can, the first blob that
    /// cannot be listed is found by its name (see <see cref="FindUnlistableAsync"/>), delivered like any other, and the
    /// listing goes on after it. In Azure the Functions host lists, not this class.
    /// </summary>
    private async IAsyncEnumerable<(string Name, string ETag)> ListAsync(BlobContainerClient container, ListingProgress progress, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
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
                    progress.Complete = true;
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
