using System.Diagnostics;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace Imr.Bench;

public sealed record CeilingResult(int OperationsPerCase, double OperationsPerSecond, double CasesPerMinuteCeiling, double Seconds);

/// <summary>
/// How fast Azurite serves the minimal storage operations one case needs, measured in the same run: the system's
/// throughput can be compared with this ceiling. A "minimal case" is what the workflow must store and move, with
/// durable bookkeeping reduced to one queue message per step: manifest put+get, case insert + 4 updates,
/// 4 blob writes (offer, determination request, submission, letter), 4 queue messages put+get+delete.
/// </summary>
public static class CeilingProbe
{
    public const int OperationsPerCase = 2 + 5 + 4 + 12;

    public static async Task<CeilingResult> RunAsync(string connectionString, TimeSpan duration, int concurrency, CancellationToken ct = default)
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var container = new BlobServiceClient(connectionString).GetBlobContainerClient("ceiling" + id);
        var table = new TableClient(connectionString, "ceiling" + id);
        var queue = new QueueClient(connectionString, "ceiling" + id);
        await container.CreateAsync(cancellationToken: ct);
        await table.CreateAsync(ct);
        await queue.CreateAsync(cancellationToken: ct);
        var payload = BinaryData.FromBytes(new byte[2048]);
        long cases = 0;
        var clock = Stopwatch.StartNew();
        try
        {
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
            {
                for (var i = 0; clock.Elapsed < duration; i++)
                {
                    var key = $"{worker}-{i}";
                    await container.GetBlobClient($"{key}/manifest.json").UploadAsync(payload, ct);
                    await container.GetBlobClient($"{key}/manifest.json").DownloadContentAsync(ct);
                    var entity = new TableEntity(key, "case") { ["Status"] = "Received" };
                    await table.AddEntityAsync(entity, ct);
                    for (var u = 0; u < 4; u++)
                    {
                        entity["Status"] = $"S{u}";
                        await table.UpdateEntityAsync(entity, ETag.All, TableUpdateMode.Replace, ct);
                    }

                    foreach (var name in new[] { "offer", "request", "submission", "letter" })
                    {
                        await container.GetBlobClient($"{key}/{name}").UploadAsync(payload, ct);
                    }

                    for (var m = 0; m < 4; m++)
                    {
                        await queue.SendMessageAsync("step", ct);
                        var received = await queue.ReceiveMessageAsync(cancellationToken: ct);
                        if (received.Value is { } message) await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, ct);
                    }

                    Interlocked.Increment(ref cases);
                }
            }));
        }
        finally
        {
            await container.DeleteIfExistsAsync(cancellationToken: CancellationToken.None);
            await table.DeleteAsync(CancellationToken.None);
            await queue.DeleteIfExistsAsync(CancellationToken.None);
        }

        var seconds = clock.Elapsed.TotalSeconds;
        return new CeilingResult(OperationsPerCase, Math.Round(cases * OperationsPerCase / seconds, 1), Math.Round(cases / seconds * 60, 1), Math.Round(seconds, 1));
    }
}
