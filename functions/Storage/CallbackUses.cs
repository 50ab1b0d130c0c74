using Azure;
using Azure.Data.Tables;

namespace Imr.Functions.Storage;

/// <summary>Single use of state-changing callback links: the first use inserts a row; a repeat finds it and sees the first result.</summary>
public sealed class CallbackUses(StorageClients storage)
{
    private TableClient Table => storage.Table(StorageNames.CallbackUsesTable);

    /// <returns>null when this is the first use; otherwise the result recorded by the first use.</returns>
    public async Task<string?> TryClaimAsync(string assignmentId, string action, string result, CancellationToken ct = default)
    {
        try
        {
            await Table.AddEntityAsync(new TableEntity(assignmentId, action) { ["Result"] = result }, ct);
            return null;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            var existing = await Table.GetEntityAsync<TableEntity>(assignmentId, action, cancellationToken: ct);
            return existing.Value.GetString("Result");
        }
    }

    /// <summary>The result of the first use, or null when the link was not used yet (read-only: GET pages call it).</summary>
    public async Task<string?> FirstResultAsync(string assignmentId, string action, CancellationToken ct = default)
    {
        var row = await Table.GetEntityIfExistsAsync<TableEntity>(assignmentId, action, cancellationToken: ct);
        return row.HasValue ? row.Value!.GetString("Result") : null;
    }

    /// <summary>Undoes a claim whose action could not be delivered, so the reviewer can try again.</summary>
    public Task ReleaseAsync(string assignmentId, string action, CancellationToken ct = default) =>
        Table.DeleteEntityAsync(assignmentId, action, ETag.All, ct);
}
