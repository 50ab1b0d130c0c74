using Azure.Storage.Blobs;
using Imr.Domain.Cases;
using Imr.Functions.Storage;

namespace Imr.LocalRuntime.Demo;

/// <summary>
/// What the demo hands the user once the letter is issued: the letter's PDF, HTML and text saved under
/// out/&lt;case&gt;/, and one short-lived read-only link (service SAS) per stored file — the letter and each notice to
/// the parties in the outbox — so every printed URL opens in a browser instead of answering 403.
/// </summary>
public static class LetterOutput
{
    /// <summary>How long the printed links stay valid.</summary>
    public static readonly TimeSpan LinkLifetime = TimeSpan.FromHours(1);

    private static readonly string[] Renderings = [".pdf", ".html", ".txt"];

    /// <summary>Saves the letter's renderings under <paramref name="outFolder"/>/&lt;case&gt;/ and returns the saved paths.</summary>
    public static async Task<IReadOnlyList<string>> SaveAsync(BlobServiceClient blobs, string caseNumber, int version, string outFolder, CancellationToken ct = default)
    {
        var folder = Path.Combine(outFolder, caseNumber);
        Directory.CreateDirectory(folder);
        var saved = new List<string>();
        foreach (var blobName in LetterBlobNames(caseNumber, version))
        {
            var path = Path.Combine(folder, Path.GetFileName(blobName));
            await blobs.GetBlobContainerClient(StorageNames.DeterminationsContainer).GetBlobClient(blobName).DownloadToAsync(path, ct);
            saved.Add(path);
        }

        return saved;
    }

    /// <summary>One read-only link per letter rendering and per notice of that version in the outbox: (label, URL).</summary>
    public static async Task<IReadOnlyList<(string Label, Uri Link)>> LinksAsync(BlobServiceClient blobs, DocumentLinks links, string caseNumber, int version, CancellationToken ct = default)
    {
        var result = new List<(string, Uri)>();
        foreach (var blobName in LetterBlobNames(caseNumber, version))
        {
            result.Add((Path.GetFileName(blobName), await links.ReadOnlyAsync(StorageNames.DeterminationsContainer, blobName, LinkLifetime, ct)));
        }

        var outbox = blobs.GetBlobContainerClient(StorageNames.OutboxContainer);
        await foreach (var notice in outbox.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, $"{caseNumber}/letter-v{version}-", cancellationToken: ct))
        {
            result.Add(("notice " + Path.GetFileName(notice.Name), await links.ReadOnlyAsync(StorageNames.OutboxContainer, notice.Name, LinkLifetime, ct)));
        }

        return result;
    }

    private static IEnumerable<string> LetterBlobNames(string caseNumber, int version) =>
        Renderings.Select(ext => CaseNames.LetterBlobPrefix(caseNumber, version) + ext);
}
