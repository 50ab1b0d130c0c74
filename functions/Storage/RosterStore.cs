using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Imr.Domain.Cases;
using Imr.Domain.Reviewers;

namespace Imr.Functions.Storage;

/// <summary>The reviewer roster in Table storage: one row per reviewer, the profile kept as JSON.</summary>
public sealed class RosterStore(StorageClients storage)
{
    private const string Partition = "roster";

    private TableClient Table => storage.Table(StorageNames.ReviewersTable);

    public async Task UpsertAsync(Reviewer reviewer, CancellationToken ct = default)
    {
        var entity = new TableEntity(Partition, reviewer.ReviewerId)
        {
            ["Active"] = reviewer.Active,
            ["Profile"] = JsonSerializer.Serialize(reviewer, CasePackage.JsonOptions),
        };
        await Table.UpsertEntityAsync(entity, TableUpdateMode.Replace, ct);
    }

    public async Task<IReadOnlyList<Reviewer>> ListAsync(CancellationToken ct = default)
    {
        var reviewers = new List<Reviewer>();
        await foreach (var e in Table.QueryAsync<TableEntity>(x => x.PartitionKey == Partition, cancellationToken: ct))
        {
            reviewers.Add(Parse(e));
        }

        return reviewers;
    }

    public async Task<Reviewer?> GetAsync(string reviewerId, CancellationToken ct = default)
    {
        var response = await Table.GetEntityIfExistsAsync<TableEntity>(Partition, reviewerId, cancellationToken: ct);
        return response.HasValue ? Parse(response.Value!) : null;
    }

    private static Reviewer Parse(TableEntity e) =>
        JsonSerializer.Deserialize<Reviewer>(e.GetString("Profile"), CasePackage.JsonOptions) ?? throw new InvalidDataException($"Roster row {e.RowKey} has no profile.");
}
