using Azure.Storage.Blobs;
using Azure.Storage.Sas;

namespace Imr.Functions.Storage;

/// <summary>
/// Time-limited, read-only links to case documents for the reviewer. With an account key (Azurite, connection
/// strings) the blob client signs a service SAS itself; with a managed identity (Azure) it cannot, so the link is
/// signed with a user delegation key — the same BlobClient API either way.
/// </summary>
public sealed class DocumentLinks(StorageClients storage, TimeProvider time)
{
    public async Task<Uri> ReadOnlyAsync(string container, string blobName, TimeSpan lifetime, CancellationToken ct = default)
    {
        var blob = storage.Container(container).GetBlobClient(blobName);
        var now = time.GetUtcNow();
        var sas = new BlobSasBuilder(BlobSasPermissions.Read, now + lifetime)
        {
            BlobContainerName = container,
            BlobName = blobName,
            Resource = "b",
            StartsOn = now.AddMinutes(-5), // clock skew between us and the storage service
            Protocol = blob.Uri.Scheme == "https" ? SasProtocol.Https : SasProtocol.HttpsAndHttp,
            ContentDisposition = "inline",
        };
        if (blob.CanGenerateSasUri)
        {
            return blob.GenerateSasUri(sas);
        }

        // A user delegation key may live at most 7 days; ask for just what the link needs.
        var key = await storage.Blobs.GetUserDelegationKeyAsync(sas.StartsOn, sas.ExpiresOn, ct);
        return new BlobUriBuilder(blob.Uri) { Sas = sas.ToSasQueryParameters(key.Value, storage.Blobs.AccountName) }.ToUri();
    }
}
