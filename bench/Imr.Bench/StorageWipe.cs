using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Queues;

namespace Imr.Bench;

/// <summary>
/// Empties the throw-away Azurite that bench/run.sh started, between the runs of one invocation and before the ceiling
/// probe: Azurite keeps everything in one single-threaded in-memory store, so a run after a 500-case run paid for the
/// first run's data (the in-memory burst collapsed: 194/500 in 10 min, requests timing out after 100 s; alone, 500/500
/// at 269.8 cases/min), and the ceiling measured at the end came out at a third of a fresh Azurite's.
/// </summary>
public static class StorageWipe
{
    public static async Task ClearAsync(string connection)
    {
        var blobs = new BlobServiceClient(connection);
        await foreach (var c in blobs.GetBlobContainersAsync())
        {
            var container = blobs.GetBlobContainerClient(c.Name);
            if (c.Properties.LeaseState == LeaseState.Leased)
            {
                await container.GetBlobLeaseClient().BreakAsync(TimeSpan.Zero); // the durable provider's lease, held after its runtime stopped
            }

            await container.DeleteAsync();
        }
        var tables = new TableServiceClient(connection);
        await foreach (var t in tables.QueryAsync()) await tables.DeleteTableAsync(t.Name);
        var queues = new QueueServiceClient(connection);
        await foreach (var q in queues.GetQueuesAsync()) await queues.DeleteQueueAsync(q.Name);
    }
}
