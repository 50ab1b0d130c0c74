using System.Security.Cryptography;
using Azure;
using Azure.Storage.Blobs.Models;
using Imr.Domain.Cases;

namespace Imr.Functions.Storage;

/// <summary>Blob reads and writes the workflow needs; writes of records are create-only so nothing is overwritten.</summary>
public sealed class DocumentStore(StorageClients storage, CaseRecordStore records)
{
    /// <summary>Largest manifest accepted; documents travel beside it, not in it.</summary>
    public const int MaxManifestBytes = 1024 * 1024;
    /// <summary>Blob metadata holding an attached document's SHA-256 (hex).</summary>
    public const string Sha256Metadata = "sha256";

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

    /// <summary>
    /// The case's package: the one accepted at intake, with the disputed items and documents of every application combined
    /// into the case merged in and the documents attached since (see <see cref="CaseRecord.Package"/>). The one view for
    /// everything that reviews, decides or writes about a case (reviewer pages, determination form, quality check, letter).
    /// From the case's record: no request when the row's version was read before in this process.
    /// </summary>
    public async Task<CasePackage> ReadAcceptedPackageAsync(CaseEntity caseEntity, CancellationToken ct = default) =>
        (await records.ReadAsync(caseEntity, ct)).Package;

    /// <summary>The case's record as its row names it: the package, the parties' contacts, the manifest's hash.</summary>
    public Task<CaseRecord> ReadCaseRecordAsync(CaseEntity caseEntity, CancellationToken ct = default) => records.ReadAsync(caseEntity, ct);

    /// <summary>As <see cref="ReadAcceptedPackageAsync(CaseEntity, CancellationToken)"/>, by the manifest's name (reads the case's row for the version).</summary>
    public async Task<CasePackage> ReadAcceptedPackageAsync(string manifestBlobName, CancellationToken ct = default) =>
        (await records.ReadLatestAsync(CaseOf(manifestBlobName), manifestBlobName, ct)).Package;

    /// <summary>
    /// The application exactly as accepted at intake, without combined applications: for eligibility screening and combining,
    /// which judge the application itself. From the case's record as accepted.
    /// </summary>
    public async Task<CasePackage> ReadOwnApplicationAsync(string manifestBlobName, CancellationToken ct = default) =>
        (await records.ReadAcceptedAsync(CaseOf(manifestBlobName), manifestBlobName, ct)).Application;

    // A case's files are under its case number: {case}/manifest.json.
    private static string CaseOf(string manifestBlobName) =>
        manifestBlobName.IndexOf('/') is > 0 and var slash ? manifestBlobName[..slash] : throw new ArgumentException("Not a case file's name.", nameof(manifestBlobName));

    /// <summary>Whether any blob exists under the prefix (e.g. a case's submitted determinations).</summary>
    public async Task<bool> AnyUnderAsync(string container, string prefix, CancellationToken ct = default)
    {
        await foreach (var _ in storage.Container(container).GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, ct))
        {
            return true;
        }

        return false;
    }

    public static string Sha256Hex(BinaryData content) => Convert.ToHexStringLower(SHA256.HashData(content.ToMemory().Span));

    public Uri UriOf(string container, string blobName) => storage.Container(container).GetBlobClient(blobName).Uri;
}
