using System.Security.Cryptography;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Imr.Functions.Storage;

/// <summary>Blob reads and writes the workflow needs; writes of records are create-only so nothing is overwritten.</summary>
public sealed class DocumentStore(StorageClients storage)
{
    /// <summary>Largest manifest accepted; documents travel beside it, not in it.</summary>
    public const int MaxManifestBytes = 1024 * 1024;

    public async Task<BinaryData> ReadAsync(string container, string blobName, CancellationToken ct = default)
    {
        var result = await storage.Container(container).GetBlobClient(blobName).DownloadContentAsync(ct);
        return result.Value.Content;
    }

    /// <summary>Writes a blob only if none exists; returns false when one already did (a retried write).</summary>
    public async Task<bool> CreateOnceAsync(string container, string blobName, BinaryData content, string contentType, CancellationToken ct = default)
    {
        try
        {
            await storage.Container(container).GetBlobClient(blobName).UploadAsync(content, new BlobUploadOptions
            {
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                HttpHeaders = new BlobHttpHeaders { ContentType = contentType },
            }, ct);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return false;
        }
    }

    /// <summary>A blob with its metadata and ETag (for a conditional metadata update afterwards).</summary>
    public async Task<(BinaryData Content, IDictionary<string, string> Metadata, ETag ETag)> ReadWithMetadataAsync(string container, string blobName, CancellationToken ct = default)
    {
        var result = (await storage.Container(container).GetBlobClient(blobName).DownloadContentAsync(ct)).Value;
        return (result.Content, result.Details.Metadata, result.Details.ETag);
    }

    /// <summary>Replaces a blob's metadata if it is unchanged since it was read; false when someone else changed it first.</summary>
    public async Task<bool> SetMetadataIfUnchangedAsync(string container, string blobName, IDictionary<string, string> metadata, ETag etag, CancellationToken ct = default)
    {
        try
        {
            await storage.Container(container).GetBlobClient(blobName).SetMetadataAsync(metadata, new BlobRequestConditions { IfMatch = etag }, ct);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return false;
        }
    }

    public async Task<bool> ExistsAsync(string container, string blobName, CancellationToken ct = default) =>
        (await storage.Container(container).GetBlobClient(blobName).ExistsAsync(ct)).Value;

    /// <summary>The case package accepted at intake (validated then, so a failure here means the stored file changed).</summary>
    public async Task<Imr.Domain.Cases.CasePackage> ReadAcceptedPackageAsync(string manifestBlobName, CancellationToken ct = default)
    {
        var manifest = await ReadAsync(StorageNames.CaseFilesContainer, manifestBlobName, ct);
        return Imr.Domain.Cases.CasePackage.Parse(manifest.ToMemory().Span).Package ?? throw new InvalidDataException("The accepted manifest no longer parses.");
    }

    public static string Sha256Hex(BinaryData content) => Convert.ToHexStringLower(SHA256.HashData(content.ToMemory().Span));

    public Uri UriOf(string container, string blobName) => storage.Container(container).GetBlobClient(blobName).Uri;
}
