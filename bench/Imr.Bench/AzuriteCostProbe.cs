using System.Diagnostics;
using System.Globalization;
using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Blobs;

namespace Imr.Bench;

/// <summary>
/// What one request of each kind costs Azurite as the account fills up (<c>bench/run.sh --azurite-costs</c>): the mean
/// latency of sequential requests, one at a time, with 0, 5,000 and 15,000 other blobs stored (a 500-case burst stores
/// ~13,000). Azurite is one Node thread, so a request's latency here is the emulator's time for it. It shows which of a
/// case's requests cost the emulator more than their count says: Azurite's blob metadata (LokiJS) rebuilds its indices
/// over every blob of the account after a removal, so a DeleteBlob, and the next lookup after it, grow with the blobs stored.
/// </summary>
public static class AzuriteCostProbe
{
    private const int Samples = 200;
    private static readonly int[] StoredBlobs = [0, 5000, 15000];

    public static async Task<string> RunAsync(string connectionString, CancellationToken ct = default)
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var blobs = new BlobServiceClient(connectionString);
        var filler = blobs.GetBlobContainerClient("costfill" + id);
        var probe = blobs.GetBlobContainerClient("costprobe" + id);
        var table = new TableClient(connectionString, "costprobe" + id);
        await filler.CreateAsync(cancellationToken: ct);
        await probe.CreateAsync(cancellationToken: ct);
        await table.CreateAsync(ct);
        var payload = BinaryData.FromBytes(new byte[1024]);
        var rows = new List<(int Stored, string Kind, double Ms)>();
        var stored = 0;
        try
        {
            foreach (var target in StoredBlobs)
            {
                var from = stored;
                await Parallel.ForEachAsync(Enumerable.Range(from, target - from), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct },
                    async (i, token) => await filler.GetBlobClient($"fill/{i:D6}").UploadAsync(payload, token));
                stored = target;

                var names = Enumerable.Range(0, Samples).Select(i => $"{target}/{i:D4}").ToList();
                rows.Add((target, "blob PutBlob (1 KiB)", await MeanAsync(names, n => probe.GetBlobClient(n).UploadAsync(payload, ct))));
                rows.Add((target, "blob GetBlobProperties", await MeanAsync(names, n => probe.GetBlobClient(n).GetPropertiesAsync(cancellationToken: ct))));
                rows.Add((target, "blob GetBlob", await MeanAsync(names, n => probe.GetBlobClient(n).DownloadContentAsync(ct))));
                rows.Add((target, "blob DeleteBlob", await MeanAsync(names, n => probe.GetBlobClient(n).DeleteAsync(cancellationToken: ct))));
                rows.Add((target, "table InsertEntity", await MeanAsync(names, n => table.AddEntityAsync(new TableEntity(n.Replace('/', '-'), "r") { ["Status"] = "Received" }, ct))));
                rows.Add((target, "table GetEntity", await MeanAsync(names, n => table.GetEntityAsync<TableEntity>(n.Replace('/', '-'), "r", cancellationToken: ct))));
            }
        }
        finally
        {
            await filler.DeleteIfExistsAsync(cancellationToken: CancellationToken.None);
            await probe.DeleteIfExistsAsync(cancellationToken: CancellationToken.None);
            await table.DeleteAsync(CancellationToken.None);
        }

        var md = new StringBuilder();
        md.AppendLine("| request (one at a time) | " + string.Join(" | ", StoredBlobs.Select(s => $"ms with {s:N0} blobs stored")) + " |");
        md.AppendLine("| --- |" + string.Concat(StoredBlobs.Select(_ => " ---: |")));
        foreach (var kind in rows.Select(r => r.Kind).Distinct())
        {
            md.AppendLine($"| {kind} | " + string.Join(" | ", StoredBlobs.Select(s => rows.Single(r => r.Stored == s && r.Kind == kind).Ms.ToString("0.00", CultureInfo.InvariantCulture))) + " |");
        }

        return md.ToString();
    }

    private static async Task<double> MeanAsync(List<string> names, Func<string, Task> request)
    {
        var clock = Stopwatch.StartNew();
        foreach (var n in names) await request(n);
        return clock.Elapsed.TotalMilliseconds / names.Count;
    }
}
