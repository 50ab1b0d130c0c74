using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Sas;

namespace Imr.Functions.Storage;

/// <summary>
/// Time-limited, read-only links to case documents for the reviewer. With an account key (Azurite, connection
/// strings) the blob client signs a service SAS itself; with a managed identity (Azure) it cannot, so the link is
/// signed with a user delegation key — the same BlobClient API either way. The key is requested once a day, not per link
/// (a review page links every document): each link still carries its own short expiry, which the key's validity covers.
/// </summary>
public sealed class DocumentLinks(StorageClients storage, TimeProvider time)
{
    /// <summary>How long a requested user delegation key is valid (the service allows up to 7 days).</summary>
    public static readonly TimeSpan DelegationKeyLifetime = TimeSpan.FromDays(1);

    private volatile UserDelegationKey? _key;

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

        var key = _key;
        if (key is null || key.SignedStartsOn > sas.StartsOn || key.SignedExpiresOn < sas.ExpiresOn)
        {
            // A user delegation key may live at most 7 days: a day, or what this link needs if more (capped at the 7 days).
            var until = sas.ExpiresOn > now + DelegationKeyLifetime ? sas.ExpiresOn : now + DelegationKeyLifetime;
            key = _key = (await storage.Blobs.GetUserDelegationKeyAsync(sas.StartsOn, until < now.AddDays(7) ? until : now.AddDays(7), ct)).Value;
        }

        return new BlobUriBuilder(blob.Uri) { Sas = sas.ToSasQueryParameters(key, storage.Blobs.AccountName) }.ToUri();
    }
}
