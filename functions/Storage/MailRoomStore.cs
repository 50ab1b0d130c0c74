using Azure;
using Azure.Storage.Blobs.Models;

namespace Imr.Functions.Storage;

/// <summary>
/// The mail room's container: one PDF per mailing under <c>mailings/&lt;yyyy-MM-dd&gt;/&lt;case&gt;/&lt;notification&gt;.pdf</c>
/// and one print batch per day under <c>batches/&lt;yyyy-MM-dd&gt;.pdf</c>. Every write is create-once: a retried step or
/// a second run of the day's batch finds what the first wrote.
/// </summary>
public sealed class MailRoomStore(StorageClients clients)
{
    public const string Container = "mailroom";
    private volatile bool _created;

    public static string MailingBlobName(DateOnly day, string caseNumber, string notificationId) => $"mailings/{day:yyyy-MM-dd}/{caseNumber}/{notificationId}.pdf";

    public static string BatchBlobName(DateOnly day) => $"batches/{day:yyyy-MM-dd}.pdf";

    /// <summary>Writes the blob unless it exists; true when this call wrote it.</summary>
    public async Task<bool> CreateOnceAsync(string blobName, BinaryData content, CancellationToken ct = default)
    {
        var container = await ContainerAsync(ct);
        try
        {
            await container.GetBlobClient(blobName).UploadAsync(content, new BlobUploadOptions
            {
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                HttpHeaders = new BlobHttpHeaders { ContentType = "application/pdf" },
            }, ct);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return false;
        }
    }

    public async Task<bool> ExistsAsync(string blobName, CancellationToken ct = default) =>
        (await (await ContainerAsync(ct)).GetBlobClient(blobName).ExistsAsync(ct)).Value;

    /// <summary>The mailings filed for a day, in name order (case, then notification): the batch's order is stable.</summary>
    public async Task<IReadOnlyList<string>> MailingsOfAsync(DateOnly day, CancellationToken ct = default)
    {
        var names = new List<string>();
        await foreach (var blob in (await ContainerAsync(ct)).GetBlobsAsync(new GetBlobsOptions { Prefix = $"mailings/{day:yyyy-MM-dd}/" }, ct))
        {
            names.Add(blob.Name);
        }

        return names.Order(StringComparer.Ordinal).ToList();
    }

    public async Task<BinaryData> ReadAsync(string blobName, CancellationToken ct = default) =>
        (await (await ContainerAsync(ct)).GetBlobClient(blobName).DownloadContentAsync(ct)).Value.Content;

    // Created on first use, so no deployment step is needed for it (Azure: infra may create it beforehand).
    private async Task<Azure.Storage.Blobs.BlobContainerClient> ContainerAsync(CancellationToken ct)
    {
        var container = clients.Container(Container);
        if (!_created)
        {
            await container.CreateIfNotExistsAsync(cancellationToken: ct);
            _created = true;
        }

        return container;
    }
}
