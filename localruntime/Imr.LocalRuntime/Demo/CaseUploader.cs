using System.Text.Json;
using Azure.Storage.Blobs;
using Imr.Functions.Storage;

namespace Imr.LocalRuntime.Demo;

/// <summary>
/// `./run.sh upload &lt;folder&gt;`: what the upstream system does, with the Azure SDK — a case folder's documents
/// under intake/&lt;case number&gt;/, then its manifest.json last, because the manifest is what starts the case.
/// </summary>
public static class CaseUploader
{
    /// <summary>Uploads the folder and returns the case number (the manifest's caseNumber, else the folder's name).</summary>
    public static async Task<string> UploadAsync(BlobServiceClient blobs, string folder, CancellationToken ct = default)
    {
        var manifest = Path.Combine(folder, "manifest.json");
        if (!File.Exists(manifest)) throw new FileNotFoundException($"A case folder needs a manifest.json (see docs/case-package.md): none in {folder}.", manifest);
        var caseNumber = CaseNumberOf(manifest) ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)));
        var intake = blobs.GetBlobContainerClient(StorageNames.IntakeContainer);
        await intake.CreateIfNotExistsAsync(cancellationToken: ct);
        var documents = Directory.GetFiles(folder).Where(f => Path.GetFileName(f) != "manifest.json").Order(StringComparer.Ordinal);
        foreach (var file in documents.Append(manifest))
        {
            await intake.GetBlobClient($"{caseNumber}/{Path.GetFileName(file)}").UploadAsync(file, overwrite: true, ct);
        }

        return caseNumber;
    }

    private static string? CaseNumberOf(string manifestPath)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(manifestPath));
        return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("caseNumber", out var n) && n.ValueKind == JsonValueKind.String
            ? n.GetString()
            : null;
    }
}
