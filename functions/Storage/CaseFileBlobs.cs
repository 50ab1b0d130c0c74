using System.Security.Cryptography;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Imr.Domain.Cases;

namespace Imr.Functions.Storage;

/// <summary>A blob as seen once: its name as stored, and the version (ETag) every later read and delete is pinned to.</summary>
public sealed record IntakeBlob(BlobClient Client, string Name, string FileName, ETag ETag, long Length, string? ContentType, bool Unaddressable = false);

/// <summary>
/// The case-files adapter of intake: a blob's snapshot (name, version, size), reads and hashes pinned to that version,
/// create-once copies into the case files (<c>casefiles/{case}/documents/</c>) with the SHA-256 in their metadata, and
/// deletes of only the version handled. Blob names the SDK cannot address go through <see cref="RawBlobAccess"/>. No rules.
/// </summary>
public sealed class CaseFileBlobs(StorageClients storage)
{
    private const string Sha256Metadata = DocumentStore.Sha256Metadata;
    private readonly RawBlobAccess _raw = new(storage);

    /// <summary>The intake container.</summary>
    public BlobContainerClient Intake => storage.Container(StorageNames.IntakeContainer);

    /// <summary>The case files container.</summary>
    public BlobContainerClient CaseFiles => storage.Container(StorageNames.CaseFilesContainer);

    /// <summary>Copies an intake document to the case files, create-only; false when a different file of that name is already there.</summary>
    /// <param name="content">The blob's bytes when already read (pinned to its ETag): copied without reading it again.</param>
    public async Task<bool> AttachAsync(IntakeBlob blob, string caseNumber, string sha, CancellationToken ct, string? nameInCase = null, BinaryData? content = null)
    {
        nameInCase ??= blob.FileName;
        var target = CaseFiles.GetBlobClient(CaseNames.DocumentBlob(caseNumber, nameInCase));
        var upload = new BlobUploadOptions
        {
            Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
            Metadata = new Dictionary<string, string> { [Sha256Metadata] = sha },
            HttpHeaders = new BlobHttpHeaders { ContentType = blob.ContentType },
        };
        try
        {
            if (content is not null)
            {
                await target.UploadAsync(content, upload, ct);
                return true;
            }

            await using var stream = await blob.Client.OpenReadAsync(new BlobOpenReadOptions(allowModifications: false) { Conditions = new BlobRequestConditions { IfMatch = blob.ETag } }, ct);
            await target.UploadAsync(stream, upload, ct);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // Already attached (a retry: same hash) or a different file of that name; or the intake blob changed (412): not attached.
            return await AttachedShaAsync(caseNumber, nameInCase, ct) == sha;
        }
    }

    public async Task<string?> AttachedShaAsync(string caseNumber, string fileName, CancellationToken ct) =>
        await ShaOfAsync(CaseFiles.GetBlobClient(CaseNames.DocumentBlob(caseNumber, fileName)), ct);

    /// <summary>A document in the case files as the record lists it, or null when there is none of that name.</summary>
    public async Task<CaseDocument?> AttachedDocumentAsync(string caseNumber, string fileName, CancellationToken ct)
    {
        var blob = CaseFiles.GetBlobClient(CaseNames.DocumentBlob(caseNumber, fileName));
        try
        {
            var props = (await blob.GetPropertiesAsync(cancellationToken: ct)).Value;
            var sha = props.Metadata.TryGetValue(Sha256Metadata, out var stored) ? stored : DocumentStore.Sha256Hex((await blob.DownloadContentAsync(ct)).Value.Content);
            return new CaseDocument { FileName = fileName, MediaType = props.ContentType ?? DefaultMediaType, Size = props.ContentLength, Sha256 = sha };
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    private const string DefaultMediaType = "application/octet-stream";

    /// <summary>An attached document as the record lists it: its name in the case, and what the copy in the case files carries.</summary>
    public static CaseDocument DocumentOf(IntakeBlob blob, string nameInCase, string sha) =>
        new() { FileName = nameInCase, MediaType = blob.ContentType ?? DefaultMediaType, Size = blob.Length, Sha256 = sha };

    public static async Task<string?> ShaOfAsync(BlobClient blob, CancellationToken ct)
    {
        try
        {
            var props = (await blob.GetPropertiesAsync(cancellationToken: ct)).Value;
            return props.Metadata.TryGetValue(Sha256Metadata, out var sha) ? sha : DocumentStore.Sha256Hex((await blob.DownloadContentAsync(ct)).Value.Content);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    public static async Task<bool> CreateOnceAsync(BlobClient target, BinaryData content, string sha, string contentType, CancellationToken ct, Dictionary<string, string>? metadata = null)
    {
        try
        {
            await target.UploadAsync(content, new BlobUploadOptions
            {
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                Metadata = new Dictionary<string, string>(metadata ?? []) { [Sha256Metadata] = sha },
                HttpHeaders = new BlobHttpHeaders { ContentType = contentType },
            }, ct);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return await ShaOfAsync(target, ct) == sha; // a retry of the same write counts as written
        }
    }

    public async Task<IReadOnlyList<IntakeBlob>> FolderAsync(string folder, CancellationToken ct)
    {
        var list = new List<IntakeBlob>();
        await foreach (var item in Intake.GetBlobsAsync(BlobTraits.None, BlobStates.None, folder + "/", ct))
        {
            list.Add(new IntakeBlob(Intake.GetBlobClient(item.Name), item.Name, item.Name[(folder.Length + 1)..], item.Properties.ETag ?? default, item.Properties.ContentLength ?? 0, item.Properties.ContentType, !RawBlobAccess.IsAddressable(Intake, item.Name)));
        }

        return list;
    }

    public async Task<IntakeBlob?> SnapshotAsync(BlobContainerClient container, string name, CancellationToken ct)
    {
        var slash = name.IndexOf('/');
        var fileName = slash > 0 ? name[(slash + 1)..] : name;
        var client = container.GetBlobClient(name);
        if (!RawBlobAccess.IsAddressable(container, name))
        {
            return await _raw.GetPropertiesAsync(container, name, ct) is { } raw
                ? new IntakeBlob(client, name, fileName, raw.ETag, raw.Length, raw.ContentType, Unaddressable: true)
                : null;
        }

        try
        {
            var p = (await client.GetPropertiesAsync(cancellationToken: ct)).Value;
            return new IntakeBlob(client, name, fileName, p.ETag, p.ContentLength, p.ContentType);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    // Reads are pinned to the version seen (If-Match): a newer upload under the same name is its own delivery.
    public async Task<BinaryData?> DownloadAsync(IntakeBlob blob, CancellationToken ct)
    {
        if (blob.Unaddressable)
        {
            return await _raw.DownloadAsync(Intake, blob.Name, blob.ETag, ct);
        }

        try
        {
            return (await blob.Client.DownloadContentAsync(new BlobDownloadOptions { Conditions = new BlobRequestConditions { IfMatch = blob.ETag } }, ct)).Value.Content;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return null;
        }
    }

    public async Task<string?> HashAsync(IntakeBlob blob, CancellationToken ct)
    {
        if (blob.Unaddressable)
        {
            return await DownloadAsync(blob, ct) is { } content ? DocumentStore.Sha256Hex(content) : null;
        }

        try
        {
            await using var stream = await blob.Client.OpenReadAsync(new BlobOpenReadOptions(allowModifications: false) { Conditions = new BlobRequestConditions { IfMatch = blob.ETag } }, ct);
            return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return null;
        }
    }

    // Deletes only the version that was handled; a newer upload under the same name stays for its own delivery.
    public async Task DeleteAsync(IntakeBlob blob, CancellationToken ct)
    {
        if (blob.Unaddressable)
        {
            await _raw.DeleteAsync(Intake, blob.Name, blob.ETag, ct);
            return;
        }

        try
        {
            await blob.Client.DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, new BlobRequestConditions { IfMatch = blob.ETag }, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
        }
    }
}
