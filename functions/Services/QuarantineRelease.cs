using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Imr.Domain.Cases;
using Imr.Functions.Storage;
using Microsoft.Extensions.Logging;

namespace Imr.Functions.Services;

/// <summary>A corrected file staff added to a quarantined package: its name in the package and where it is kept.</summary>
public sealed record QuarantineCorrection(string FileName, string BlobName, long Length, DateTimeOffset AddedAt);

/// <summary>
/// Release after correction (the intake desk): staff add corrected files to a quarantined package, then release it. The
/// release re-delivers the package to the intake container as a new delivery — the quarantined files under their
/// original names, each replaced by the latest corrected file of the same name, documents first and the manifest last —
/// so intake verifies it again from the start (a package still wrong is quarantined again, a duplicate is still
/// recognised). Nothing is copied past verification, nothing is deleted: the quarantined files and every corrected file
/// stay in quarantine. The release is recorded once with the person; a release that fails records why, shown on the desk.
/// </summary>
public sealed partial class QuarantineRelease(StorageClients storage, IntakeStore store, AuditLog audit, TimeProvider time, ILogger<QuarantineRelease> logger)
{
    public const string ReleasedWhat = "Quarantined package released";
    public const string ReleaseFailedWhat = "Quarantined package not released";
    public const string CorrectionWhat = "Corrected file added to a quarantined package";
    public const long MaxFileBytes = 50 * 1024 * 1024;

    public static string ReleasedStepId(string rejectionId) => $"intake-released-{rejectionId}";

    private static string FailedStepPrefix(string rejectionId) => $"intake-release-failed-{rejectionId}-";

    private static string CorrectionsFolder(string partition, string rejectionId) => $"{partition}/corrections-{rejectionId}/";

    private BlobContainerClient Quarantine => storage.Container(StorageNames.QuarantineContainer);

    private BlobContainerClient Intake => storage.Container(StorageNames.IntakeContainer);

    /// <summary>The corrected files of a package, the latest of each name (an earlier upload of the same name stays kept).</summary>
    public async Task<IReadOnlyList<QuarantineCorrection>> CorrectionsAsync(string partition, string rejectionId, CancellationToken ct = default)
    {
        var prefix = CorrectionsFolder(partition, rejectionId);
        var all = new List<QuarantineCorrection>();
        await foreach (var b in Quarantine.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, ct))
        {
            // {ticks:D19}-{file name}: the upload time orders the versions of one name.
            var rest = b.Name[prefix.Length..];
            if (rest.Length < 21 || rest[19] != '-' || !long.TryParse(rest[..19], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)) continue;
            all.Add(new QuarantineCorrection(rest[20..], b.Name, b.Properties.ContentLength ?? 0, new DateTimeOffset(ticks, TimeSpan.Zero)));
        }

        return all.GroupBy(c => c.FileName, StringComparer.Ordinal).Select(g => g.MaxBy(c => c.AddedAt)!).OrderBy(c => c.FileName, StringComparer.Ordinal).ToList();
    }

    /// <summary>Why the last release attempt failed, or null (none failed, or the package was released since).</summary>
    public async Task<string?> LastProblemAsync(string partition, string rejectionId, CancellationToken ct = default)
    {
        var trail = await audit.ForCaseAsync(partition, ct);
        if (trail.Any(r => r.StepId == ReleasedStepId(rejectionId))) return null;
        return trail.Where(r => r.StepId.StartsWith(FailedStepPrefix(rejectionId), StringComparison.Ordinal)).Select(r => r.Details).LastOrDefault();
    }

    /// <summary>Whether the package was released (then it is off the desk's open list).</summary>
    public async Task<string?> ReleasedAsync(string partition, string rejectionId, CancellationToken ct = default) =>
        await audit.DetailsOfAsync(partition, ReleasedStepId(rejectionId), ct);

    /// <summary>Keeps a corrected file in the package's corrections folder in quarantine (never overwriting an earlier one).</summary>
    public async Task<IntakeDeskResult> AddCorrectionAsync(string partition, string rejectionId, string? fileName, Stream? content, long length, string auditName, CancellationToken ct = default)
    {
        if (await FindAsync(partition, rejectionId, ct) is null) return new(false, "There is no such quarantined package. Nothing was changed.");
        if (await ReleasedAsync(partition, rejectionId, ct) is not null) return new(false, $"Package {rejectionId} was released already. Nothing was changed.");
        var name = Path.GetFileName(fileName ?? "").Trim();
        if (!FileNameShape().IsMatch(name) || name is "." or "..")
        {
            return new(false, "Choose a file whose name has letters, digits, spaces, dots, dashes or underscores only (at most 200). Nothing was changed.");
        }

        if (content is null || length <= 0 || length > MaxFileBytes) return new(false, $"Choose a file of at most {MaxFileBytes / (1024 * 1024)} MB that is not empty. Nothing was changed.");
        var data = await BinaryData.FromStreamAsync(content, ct);
        var now = time.GetUtcNow();
        var blob = $"{CorrectionsFolder(partition, rejectionId)}{now.UtcTicks:D19}-{name}";
        await Quarantine.GetBlobClient(blob).UploadAsync(data, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, ct);
        var sha = Convert.ToHexStringLower(SHA256.HashData(data.ToMemory().Span));
        await audit.RecordAsync(partition, $"intake-correction-{rejectionId}-{now.UtcTicks:D19}", CorrectionWhat, $"{name} ({data.ToMemory().Length} bytes, SHA-256 {sha[..12]}…) added to rejection {rejectionId} by {auditName}", ct);
        return new(true, $"{name} added to package {rejectionId}. Release the package when it is complete.");
    }

    /// <summary>Re-delivers the corrected package to intake (see the class); once per package.</summary>
    public async Task<IntakeDeskResult> ReleaseAsync(string partition, string rejectionId, string auditName, CancellationToken ct = default)
    {
        if (await FindAsync(partition, rejectionId, ct) is not { } rejection) return new(false, "There is no such quarantined package. Nothing was changed.");
        if (await ReleasedAsync(partition, rejectionId, ct) is { } earlier) return new(true, $"Package {rejectionId} was released already: {earlier}");
        var problem = await ProblemAsync(rejection, ct);
        if (problem is not null) return await FailedAsync(partition, rejectionId, problem, auditName, ct);

        var (files, corrected) = await DeliveryAsync(rejection, ct);
        // Documents first and the manifest last, as an upstream system delivers: intake starts on the manifest.
        foreach (var (fileName, source) in files.OrderBy(f => f.Key == CaseNames.ManifestFileName ? 1 : 0).ThenBy(f => f.Key, StringComparer.Ordinal))
        {
            var target = Intake.GetBlobClient($"{partition}/{fileName}");
            try
            {
                var content = (await Quarantine.GetBlobClient(source).DownloadContentAsync(ct)).Value.Content;
                await target.UploadAsync(content, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, ct);
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                return await FailedAsync(partition, rejectionId, $"Intake holds a delivery of {partition}/{fileName} now; nothing of it was replaced. Wait until intake has taken it, then release again.", auditName, ct);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                return await FailedAsync(partition, rejectionId, $"The quarantined file {source} is missing; add it as a corrected file, then release again.", auditName, ct);
            }
        }

        var details = $"by {auditName}: {files.Count} file(s) delivered to intake again" + (corrected.Count > 0 ? $" (corrected: {string.Join(", ", corrected)})" : "");
        await audit.RecordAsync(partition, ReleasedStepId(rejectionId), ReleasedWhat, details, ct);
        logger.LogInformation("Quarantined package {RejectionId} released to intake ({Count} files)", rejectionId, files.Count);
        return new(true, $"Package {rejectionId} released: intake checks it again as a new delivery.");
    }

    private async Task<RejectionEntity?> FindAsync(string partition, string rejectionId, CancellationToken ct) =>
        PartitionShape().IsMatch(partition) && RejectionIdShape().IsMatch(rejectionId) ? await store.GetRejectionAsync(partition, rejectionId, ct) : null;

    private async Task<string?> ProblemAsync(RejectionEntity rejection, CancellationToken ct)
    {
        if (!CaseNumber.TryParse(rejection.PartitionKey, out _))
        {
            return "The package's folder names no case number, so intake could not take it as a case's delivery. Ask the submitter to deliver it again in the case's folder, then mark this package handled.";
        }

        var (files, _) = await DeliveryAsync(rejection, ct);
        return files.ContainsKey(CaseNames.ManifestFileName) ? null : $"The package has no {CaseNames.ManifestFileName}: add the corrected manifest, then release again.";
    }

    /// <summary>File name in the case's folder → the quarantine blob to deliver, and the names replaced by corrected files.</summary>
    private async Task<(Dictionary<string, string> Files, List<string> Corrected)> DeliveryAsync(RejectionEntity rejection, CancellationToken ct)
    {
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        var folder = rejection.PartitionKey + "/";
        foreach (var target in JsonSerializer.Deserialize<List<string>>(rejection.QuarantinedBlobs) ?? [])
        {
            // The intake name the file came under is in its report beside it (a renamed file's own name may differ).
            var original = await OriginalNameAsync(target, ct) ?? target;
            if (!original.StartsWith(folder, StringComparison.Ordinal)) continue;
            var fileName = original[folder.Length..];
            if (FileNameShape().IsMatch(fileName)) files[fileName] = target;
        }

        var corrected = new List<string>();
        foreach (var c in await CorrectionsAsync(rejection.PartitionKey, rejection.RowKey, ct))
        {
            files[c.FileName] = c.BlobName;
            corrected.Add(c.FileName);
        }

        return (files, corrected);
    }

    private async Task<string?> OriginalNameAsync(string target, CancellationToken ct)
    {
        try
        {
            using var report = JsonDocument.Parse((await Quarantine.GetBlobClient(target + ".rejection.json").DownloadContentAsync(ct)).Value.Content.ToMemory());
            return report.RootElement.TryGetProperty("blob", out var blob) && blob.ValueKind == JsonValueKind.String ? blob.GetString() : null;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async Task<IntakeDeskResult> FailedAsync(string partition, string rejectionId, string reason, string auditName, CancellationToken ct)
    {
        await audit.RecordAsync(partition, $"{FailedStepPrefix(rejectionId)}{time.GetUtcNow().UtcTicks:D19}", ReleaseFailedWhat, $"{reason} (release by {auditName})", ct);
        return new(false, $"Package {rejectionId} was not released: {reason}");
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex PartitionShape();

    [GeneratedRegex("^[0-9]{19}-[0-9a-f]{10}$", RegexOptions.CultureInvariant)]
    private static partial Regex RejectionIdShape();

    [GeneratedRegex("^[A-Za-z0-9 ._-]{1,200}$", RegexOptions.CultureInvariant)]
    private static partial Regex FileNameShape();
}
