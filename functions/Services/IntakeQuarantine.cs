using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Imr.Domain.Cases;
using Imr.Functions.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Imr.Functions.Services;

/// <summary>
/// Intake's quarantine: a rejected upload is copied to the quarantine container with its reasons beside each file, then
/// removed from intake; a row records the rejection and the submitter (or the intake desk) gets the notice the domain
/// renders (<see cref="IntakeRejectionNotice"/>). Why a package is rejected is decided elsewhere (PackageVerification,
/// CaseIntake); this class only sets it aside.
/// </summary>
public sealed class IntakeQuarantine(StorageClients storage, CaseFileBlobs files, IntakeStore store, Outbox outbox, ConsoleLinks console, IOptions<IntakeOptions> options, TimeProvider time, ILogger logger)
{
    private static readonly JsonSerializerOptions ReportJson = new(CasePackage.JsonOptions) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private BlobContainerClient Quarantine => storage.Container(StorageNames.QuarantineContainer);

    /// <summary>
    /// Copy, then delete: a rejected package is never lost. Its reasons are stored beside each file, a row records the rejection,
    /// and the submitter is told. A file whose own name cannot be used in quarantine (control characters, "." or ".." segments,
    /// or a copy the service refuses) is kept under a safe name, its original name in the report and the blob's metadata.
    /// One file that cannot be moved does not stop the others: the rejection and notice are still written, then the failure
    /// is thrown so the trigger retries (and the orphan sweep finds what is left).
    /// </summary>
    public async Task<IntakeResult> QuarantineAsync(string? caseNumber, IReadOnlyList<IntakeBlob> blobs, string kind, IReadOnlyList<string> reasons, string? submitter, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("|", blobs.Select(b => b.Name + "@" + b.ETag)))))[..10];
        var rejectionId = $"{now.UtcTicks:D19}-{fingerprint}";
        var partition = caseNumber ?? CaseIntake.UnnamedPartition;
        var targets = new List<string>();
        var renamed = new List<string>();
        var failures = new List<Exception>();
        for (var index = 0; index < blobs.Count; index++)
        {
            var blob = blobs[index];
            try
            {
                var content = await files.DownloadAsync(blob, ct);
                if (content is null)
                {
                    continue; // replaced or moved meanwhile: the newer upload has its own delivery
                }

                var sha = DocumentStore.Sha256Hex(content);
                var target = IsSafeQuarantineName(blob.Name) ? await PlaceInQuarantineAsync(blob.Name, rejectionId, content, sha, ct) : null;
                if (target is null)
                {
                    target = $"{partition}/rejected-{rejectionId}/unsafe-name-{index + 1}";
                    await CaseFileBlobs.CreateOnceAsync(Quarantine.GetBlobClient(target), content, sha, "application/octet-stream", ct,
                        new Dictionary<string, string> { [OriginalNameMetadata] = Uri.EscapeDataString(blob.Name) });
                    renamed.Add($"The file '{PackageVerification.Printable(blob.Name)}' cannot be kept under its own name; it is in quarantine as '{target}'.");
                }

                var report = JsonSerializer.Serialize(new { blob = blob.Name, originalNameEscaped = Uri.EscapeDataString(blob.Name), quarantinedAs = target, rejectionId, kind, rejectedAt = now, reasons }, ReportJson);
                await Quarantine.GetBlobClient(target + ".rejection.json").UploadAsync(BinaryData.FromString(report), overwrite: true, ct);
                targets.Add(target);
                await files.DeleteAsync(blob, ct);
            }
            catch (Exception ex) when (ex is RequestFailedException or HttpRequestException or IOException && !ct.IsCancellationRequested)
            {
                failures.Add(ex);
                logger.LogError(ex, "Intake rejection {RejectionId}: file {Index} of {Count} could not be moved to quarantine", rejectionId, index + 1, blobs.Count);
            }
        }

        reasons = [.. reasons, .. renamed];
        await store.AddRejectionAsync(new RejectionEntity
        {
            PartitionKey = partition,
            RowKey = rejectionId,
            Kind = kind,
            RejectedAt = now,
            QuarantinedBlobs = IntakeStore.Json(targets),
            Reasons = IntakeStore.Json(reasons),
            ReasonCount = reasons.Count,
        }, ct);
        var notice = IntakeRejectionNotice.Render(caseNumber, kind, rejectionId, reasons);
        if (submitter is null)
        {
            // Addressed to the intake desk: the package's section on the desk, where it is corrected and released.
            notice = notice with { Body = $"{notice.Body.TrimEnd()}\n\nAct on it in the staff console: {console.IntakeDesk(Web.IntakeDeskPage.PackageAnchor(rejectionId))}\n" };
        }

        await outbox.EnqueueAsync(new Notification($"rejection-{rejectionId}", partition, submitter ?? options.Value.IntakeDeskEmail, notice), ct);
        logger.LogWarning("Intake rejection {RejectionId} ({Kind}): {BlobCount} blob(s) quarantined with {ReasonCount} reason(s)", rejectionId, kind, targets.Count, reasons.Count);
        if (failures.Count > 0)
        {
            throw new AggregateException($"Intake rejection {rejectionId}: {failures.Count} file(s) could not be moved to quarantine yet.", failures);
        }

        return IntakeResult.Quarantined;
    }

    /// <summary>
    /// The file under its own name, or — when an earlier rejection holds a different file of that name — in this rejection's
    /// own folder; null when the service refuses the name (the caller then uses a safe one).
    /// </summary>
    private async Task<string?> PlaceInQuarantineAsync(string name, string rejectionId, BinaryData content, string sha, CancellationToken ct)
    {
        try
        {
            // Never overwrite an earlier quarantined file: a second rejection of the same name goes into its own folder.
            if (await CaseFileBlobs.CreateOnceAsync(Quarantine.GetBlobClient(name), content, sha, "application/octet-stream", ct) || await CaseFileBlobs.ShaOfAsync(Quarantine.GetBlobClient(name), ct) == sha)
            {
                return name;
            }

            var slash = name.IndexOf('/');
            var target = slash > 0 ? $"{name[..slash]}/rejected-{rejectionId}/{name[(slash + 1)..]}" : $"rejected-{rejectionId}/{name}";
            if (!IsSafeQuarantineName(target))
            {
                return null;
            }

            await CaseFileBlobs.CreateOnceAsync(Quarantine.GetBlobClient(target), content, sha, "application/octet-stream", ct);
            return target;
        }
        catch (RequestFailedException ex) when (ex.Status == 400)
        {
            return null; // e.g. InvalidResourceName, InvalidUri: the name is not usable there
        }
    }

    /// <summary>
    /// A name a blob can be kept (and later listed and read) under in quarantine: one the SDK addresses exactly, with no
    /// control characters, no U+FFFE/U+FFFF or unpaired surrogates (XML listings cannot carry them), no empty, "." or ".." segments.
    /// </summary>
    internal static bool IsSafeQuarantineName(string name)
    {
        if (name.Length is 0 or > 1000 || name.EndsWith('.') || name.Contains('\\'))
        {
            return false;
        }

        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsControl(c) || c is '\uFFFE' or '\uFFFF')
            {
                return false;
            }

            if (char.IsHighSurrogate(c) && i + 1 < name.Length && char.IsLowSurrogate(name[i + 1]))
            {
                i++; // a pair: one character outside the BMP
            }
            else if (char.IsSurrogate(c))
            {
                return false;
            }
        }

        return name.Split('/').All(segment => segment is not ("" or "." or ".."));
    }

    /// <summary>Blob metadata of a file kept under a safe name in quarantine: its original name, URI-escaped.</summary>
    public const string OriginalNameMetadata = "imroriginalname";
}
