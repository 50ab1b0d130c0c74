using System.Collections.Concurrent;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Imr.Domain.Cases;

namespace Imr.Functions.Storage;

/// <summary>
/// Each case's <see cref="CaseRecord"/>: written at intake from the one parse of its manifest, a new version when an
/// application is combined into the case or a document is attached to it, read by every later step instead of the manifest.
/// <para>
/// Stored as immutable versions, <c>caserecords/{case}/v{n}.json</c>, each written create-once, rather than one blob changed
/// in place: a version read once never has to be read again, so an in-process cache keyed by (case, version) serves later
/// reads without any request, and the current version is on the case's table row (<see cref="CaseEntity.RecordVersion"/>),
/// which the steps after intake read anyway. (One blob read with If-None-Match would still cost a request per read.)
/// </para>
/// <para>
/// A change writes version n+1 create-once — a 409 means another writer got there first, and the change is applied on
/// top of theirs — and only then raises the row's pointer (to the larger of the two), so a pointer never names a version
/// that is not stored. A writer stopped between the two raises it when its step runs again: the change is found made and
/// the pointer brought up. Version 1 needs no pointer (0 on the row means 1), so intake writes only the record.
/// </para>
/// </summary>
public sealed class CaseRecordStore(StorageClients storage, CaseStore cases, IntakeStore intake)
{
    // Immutable entries; the bound only keeps a long-running worker's memory flat (a cleared entry is read again once).
    private const int MaxCached = 20_000;
    private readonly ConcurrentDictionary<(string Case, int Version), CaseRecord> _cache = new();

    private BlobContainerClient Records => storage.Container(StorageNames.CaseRecordsContainer);

    /// <summary>Stores the record of a package accepted at intake (version 1); a retried intake finds the one stored and returns it.</summary>
    public async Task<CaseRecord> CreateAsync(CaseRecord record, CancellationToken ct = default) =>
        await TryCreateAsync(record, ct) ? record
            : await ReadVersionAsync(record.CaseNumber, record.Version, ct) ?? throw new InvalidOperationException($"Case {record.CaseNumber}: record version {record.Version} is neither new nor stored.");

    /// <summary>
    /// Intake delivered the same package again: makes sure its record exists (an earlier delivery may have stopped between
    /// accepting the package and storing the record), from the package just parsed and the documents attached by then.
    /// </summary>
    public async Task EnsureAcceptedAsync(string manifestBlobName, CasePackage package, string manifestSha256, CancellationToken ct = default)
    {
        var caseNumber = CaseNumber.Parse(package.CaseNumber).Value;
        if (_cache.ContainsKey((caseNumber, 1)) || await ReadVersionAsync(caseNumber, 1, ct) is not null)
        {
            return;
        }

        await CreateAsync(await BuildAsync(caseNumber, manifestBlobName, (package, manifestSha256), ct), ct);
    }

    /// <summary>The record as the case's row names it: no request when that version was read or written in this process.</summary>
    public Task<CaseRecord> ReadAsync(CaseEntity caseEntity, CancellationToken ct = default) =>
        ReadAsync(caseEntity.PartitionKey, caseEntity.ManifestBlobName, Math.Max(1, caseEntity.RecordVersion), ct);

    /// <summary>The latest record, for a step without the case's row in hand (reads the row).</summary>
    public async Task<CaseRecord> ReadLatestAsync(string caseNumber, string manifestBlobName, CancellationToken ct = default) =>
        await cases.GetAsync(caseNumber, ct) is { } row ? await ReadAsync(row, ct) : await ProbeLatestAsync(caseNumber, manifestBlobName, ct);

    /// <summary>
    /// The record as accepted (version 1): for what every version has alike — the application itself, its contacts, the
    /// manifest's hash — so no pointer is needed.
    /// </summary>
    public Task<CaseRecord> ReadAcceptedAsync(string caseNumber, string manifestBlobName, CancellationToken ct = default) =>
        ReadAsync(caseNumber, manifestBlobName, 1, ct);

    /// <summary>
    /// Applies a change (the record's <c>With…</c> methods: they return the record itself when there is nothing new) on the
    /// latest version and stores the result as the next version; then raises the pointer on the case's row. Returns the
    /// record as it now is. <paramref name="row"/> is the case's row when the step has it (saves reading it).
    /// </summary>
    public async Task<CaseRecord> ChangeAsync(string caseNumber, string manifestBlobName, CaseEntity? row, Func<CaseRecord, CaseRecord> change, CancellationToken ct = default)
    {
        row ??= await cases.GetAsync(caseNumber, ct);
        var current = row is null ? await ProbeLatestAsync(caseNumber, manifestBlobName, ct) : await ReadAsync(row, ct);
        while (true)
        {
            var next = change(current);
            if (ReferenceEquals(next, current))
            {
                break;
            }

            if (next.Version != current.Version + 1)
            {
                throw new InvalidOperationException("A change of a case record makes the next version.");
            }

            if (await TryCreateAsync(next, ct))
            {
                current = next;
                break;
            }

            // Another writer stored that version first: apply the change on top of theirs.
            current = await ReadVersionAsync(caseNumber, next.Version, ct) ?? throw new InvalidOperationException($"Case {caseNumber}: record version {next.Version} is neither new nor stored.");
        }

        await RaisePointerAsync(caseNumber, manifestBlobName, row, current.Version, ct);
        return current;
    }

    private async Task<CaseRecord> ReadAsync(string caseNumber, string manifestBlobName, int version, CancellationToken ct)
    {
        if (await ReadVersionAsync(caseNumber, version, ct) is { } stored)
        {
            return stored;
        }

        if (version != 1)
        {
            throw new InvalidOperationException($"Case {caseNumber}: record version {version} is not stored.");
        }

        // No record: a case accepted before records existed, or started without intake (tests). Built once from the case
        // files as the package reader used to read them, and stored, so this happens once per case.
        var built = await BuildAsync(caseNumber, manifestBlobName, null, ct);
        return await CreateAsync(built, ct);
    }

    // Only where no case row exists (a change arriving before the case's first step, or a case run without intake).
    private async Task<CaseRecord> ProbeLatestAsync(string caseNumber, string manifestBlobName, CancellationToken ct)
    {
        var latest = await ReadAsync(caseNumber, manifestBlobName, 1, ct);
        while (await ReadVersionAsync(caseNumber, latest.Version + 1, ct) is { } newer)
        {
            latest = newer;
        }

        return latest;
    }

    private async Task<CaseRecord?> ReadVersionAsync(string caseNumber, int version, CancellationToken ct)
    {
        if (_cache.TryGetValue((caseNumber, version), out var cached))
        {
            return cached;
        }

        try
        {
            var content = (await Records.GetBlobClient(CaseNames.CaseRecordBlob(caseNumber, version)).DownloadContentAsync(ct)).Value.Content;
            return Remember(CaseRecord.FromJson(content.ToMemory().Span));
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    private async Task<bool> TryCreateAsync(CaseRecord record, CancellationToken ct)
    {
        try
        {
            await Records.GetBlobClient(CaseNames.CaseRecordBlob(record.CaseNumber, record.Version)).UploadAsync(BinaryData.FromBytes(record.ToJson()), new BlobUploadOptions
            {
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
            }, ct);
            Remember(record);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return false;
        }
    }

    private CaseRecord Remember(CaseRecord record)
    {
        if (_cache.Count >= MaxCached)
        {
            _cache.Clear();
        }

        _cache[(record.CaseNumber, record.Version)] = record;
        return record;
    }

    /// <summary>
    /// Points the case's row at the version (never lower). A change that comes before the case's first step creates the row
    /// as that step would (Received, no review clock), so the pointer is never lost.
    /// </summary>
    private async Task RaisePointerAsync(string caseNumber, string manifestBlobName, CaseEntity? row, int version, CancellationToken ct)
    {
        if (version <= 1 || row?.RecordVersion >= version)
        {
            return;
        }

        if (row is null)
        {
            var entity = new CaseEntity { PartitionKey = caseNumber, Status = nameof(CaseStatus.Received), ManifestBlobName = manifestBlobName, RecordVersion = version };
            if ((await cases.AddOnceAsync(entity, ct)).RecordVersion >= version)
            {
                return;
            }
        }

        await cases.UpdateAsync(caseNumber, c => c.RecordVersion = Math.Max(c.RecordVersion, version), ct);
    }

    /// <summary>
    /// A record from the case files, for a case without one (see <see cref="ReadAsync(string, string, int, CancellationToken)"/>),
    /// or from the package intake has just parsed.
    /// </summary>
    private async Task<CaseRecord> BuildAsync(string caseNumber, string manifestBlobName, (CasePackage Package, string Sha256)? parsed, CancellationToken ct)
    {
        if (parsed is null)
        {
            var manifest = (await storage.Container(StorageNames.CaseFilesContainer).GetBlobClient(manifestBlobName).DownloadContentAsync(ct)).Value.Content;
            var package = CasePackage.Parse(manifest.ToMemory().Span).Package ?? throw new InvalidDataException("The accepted manifest no longer parses.");
            parsed = (package, DocumentStore.Sha256Hex(manifest));
        }

        var combined = new List<CombinedApplication>();
        foreach (var c in await intake.CombinationsIntoAsync(caseNumber, ct))
        {
            combined.Add(new CombinedApplication(c.CombinedCaseNumber, (await ReadAcceptedAsync(c.CombinedCaseNumber, c.ManifestBlobName, ct)).Application));
        }

        return CaseRecord.Accepted(parsed.Value.Package, parsed.Value.Sha256, await AttachedDocumentsAsync(caseNumber, ct)) with { CaseNumber = caseNumber, Combined = combined };
    }

    /// <summary>The documents in the case files of a case (<c>{case}/documents/</c>), by name.</summary>
    private async Task<IReadOnlyList<CaseDocument>> AttachedDocumentsAsync(string caseNumber, CancellationToken ct)
    {
        var prefix = $"{caseNumber}/documents/";
        var list = new List<CaseDocument>();
        await foreach (var b in storage.Container(StorageNames.CaseFilesContainer).GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, prefix, ct))
        {
            list.Add(new CaseDocument
            {
                FileName = b.Name[prefix.Length..],
                MediaType = b.Properties.ContentType ?? "application/octet-stream",
                Size = b.Properties.ContentLength ?? 0,
                Sha256 = b.Metadata.TryGetValue(DocumentStore.Sha256Metadata, out var sha) ? sha : null,
            });
        }

        return list;
    }
}
