using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Imr.Functions.Storage;
using Imr.Functions.Tests.Infrastructure;

namespace Imr.Functions.Tests;

/// <summary>Reviewer loads on Azurite: what a read costs is what is open now, not every assignment ever made.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ReviewerLoadsTests
{
    [Fact]
    public async Task Loads_count_open_assignments_keep_the_rotation_clock_after_closing_and_leave_no_closed_rows_behind()
    {
        var storage = new StorageClients(new BlobServiceClient(TestEnvironment.StorageConnectionString), new TableServiceClient(TestEnvironment.StorageConnectionString));
        await storage.EnsureCreatedAsync();
        var scope = new RosterScope("loads-" + Guid.NewGuid().ToString("N")[..8]);
        var loads = new ReviewerLoads(storage, scope);
        var t0 = new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

        for (var i = 1; i <= 30; i++)
        {
            await loads.OpenAsync("rev-a", $"C{i}", $"C{i}-A1", t0.AddMinutes(i));
            await loads.CloseAsync("rev-a", $"C{i}-A1");
        }

        await loads.OpenAsync("rev-a", "C31", "C31-A1", t0.AddMinutes(31));
        await loads.OpenAsync("rev-a", "C31", "C31-A1", t0.AddMinutes(99)); // a retried offer: counted once, clock unchanged
        await loads.OpenAsync("rev-b", "C32", "C32-A1", t0.AddMinutes(5));
        await loads.CloseAsync("rev-b", "C32-A1");
        await loads.CloseAsync("rev-b", "C32-A1"); // a repeated close
        await loads.CloseAsync("rev-c", "C33-A1"); // never opened

        var all = await loads.AllAsync();

        Assert.Equal((1, t0.AddMinutes(31)), (all["rev-a"].OpenAssignments, all["rev-a"].LastAssignedAt));
        Assert.Equal((0, t0.AddMinutes(5)), (all["rev-b"].OpenAssignments, all["rev-b"].LastAssignedAt));
        Assert.False(all.ContainsKey("rev-c"));
        // 31 assignments of rev-a were made; its partition holds the one open and the clock.
        var rows = storage.Table(StorageNames.ReviewersTable).QueryAsync<TableEntity>(e => e.PartitionKey == $"{scope.Name}|load|rev-a", select: ["RowKey"]);
        var keys = new List<string>();
        await foreach (var e in rows) keys.Add(e.RowKey);
        Assert.Equal(["C31-A1", ReviewerLoads.ClockRow], keys);
    }
}
