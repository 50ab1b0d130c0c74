using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Imr.Domain.Cases;
using Imr.Domain.Reviewers;

namespace Imr.Functions.Storage;

/// <summary>The reviewer roster in Table storage: one row per reviewer (partition = the roster scope), the profile kept as JSON.</summary>
public sealed class RosterStore(StorageClients storage, RosterScope scope)
{
    private TableClient Table => storage.Table(StorageNames.ReviewersTable);
    private string Partition => scope.Name;

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
        await foreach (var e in Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Partition}"), cancellationToken: ct))
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

    /// <summary>Adds an affiliation (e.g. a conflict the reviewer declared) unless the roster already has it; optimistic concurrency, so a parallel import is not overwritten.</summary>
    public async Task<bool> AddAffiliationAsync(string reviewerId, Affiliation affiliation, CancellationToken ct = default)
    {
        for (var attempt = 0; ; attempt++)
        {
            var response = await Table.GetEntityIfExistsAsync<TableEntity>(Partition, reviewerId, cancellationToken: ct);
            if (!response.HasValue) return false;
            var entity = response.Value!;
            var reviewer = Parse(entity);
            if (reviewer.Affiliations.Any(a => Affiliation.Normalize(a.Name) == Affiliation.Normalize(affiliation.Name))) return false;
            entity["Profile"] = JsonSerializer.Serialize(reviewer with { Affiliations = [.. reviewer.Affiliations, affiliation] }, CasePackage.JsonOptions);
            try
            {
                await Table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, ct);
                return true;
            }
            catch (RequestFailedException ex) when (ex.Status == 412 && attempt < 10)
            {
            }
        }
    }

    private static Reviewer Parse(TableEntity e) =>
        JsonSerializer.Deserialize<Reviewer>(e.GetString("Profile"), CasePackage.JsonOptions) ?? throw new InvalidDataException($"Roster row {e.RowKey} has no profile.");
}
