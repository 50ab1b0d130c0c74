namespace Imr.Domain.Cases;

/// <summary>A file delivered beside a manifest, as intake found it: its name in the case's folder, its size, and its SHA-256 once read (null: not read).</summary>
public sealed record DeliveredFile(string FileName, long Length, string? Sha256);

/// <summary>What a package's delivered files say about it: the reasons to refuse it, or the files that go into the case with it.</summary>
public sealed record PackageVerdict(IReadOnlyList<string> Reasons, IReadOnlyList<DeliveredFile> Present)
{
    public bool IsAccepted => Reasons.Count == 0;
}

/// <summary>
/// The intake rule for the documents travelling beside a manifest, with no storage in it: every listed document that is
/// there must match the manifest byte for byte (size and SHA-256); one not there yet is awaited; a file too large is refused;
/// a file whose name is not a plain document name is left to its own delivery (which quarantines it).
/// </summary>
public static class PackageVerification
{
    /// <summary>Whether a delivered file must be read (hashed) for the verdict: plain document names within the size limit.</summary>
    public static bool MustRead(string fileName, long length) =>
        fileName != CaseNames.ManifestFileName && CasePackage.IsSafeFileName(fileName) && length <= CasePackage.MaxDocumentBytes;

    /// <param name="files">The files in the package's folder, the manifest among them or not, in the order listed.</param>
    public static PackageVerdict Verify(CasePackage package, IEnumerable<DeliveredFile> files)
    {
        var reasons = new List<string>();
        var present = new List<DeliveredFile>();
        var listed = package.Documents.ToDictionary(d => d.FileName, StringComparer.OrdinalIgnoreCase);
        foreach (var file in files.Where(f => f.FileName != CaseNames.ManifestFileName))
        {
            if (!CasePackage.IsSafeFileName(file.FileName))
            {
                continue; // its own delivery quarantines it
            }

            if (file.Length > CasePackage.MaxDocumentBytes)
            {
                reasons.Add($"documents[{Printable(file.FileName)}]: {file.Length} bytes exceeds the limit of {CasePackage.MaxDocumentBytes} bytes.");
                continue;
            }

            if (file.Sha256 is null)
            {
                continue; // gone or replaced since it was listed: a newer upload is its own delivery
            }

            if (listed.TryGetValue(file.FileName, out var doc))
            {
                if (file.Length != doc.Size)
                {
                    reasons.Add($"documents[{Printable(doc.FileName)}]: the file has {file.Length} bytes but the manifest says {doc.Size}.");
                    continue;
                }

                if (file.Sha256 != doc.Sha256)
                {
                    reasons.Add($"documents[{Printable(doc.FileName)}]: its SHA-256 differs from the manifest's (the file was changed or damaged in transit).");
                    continue;
                }
            }

            present.Add(file);
        }

        return new PackageVerdict(reasons, present);
    }

    /// <summary>A name as echoed in a reason: at most 120 characters, without control characters or text that is not valid UTF-16.</summary>
    public static string Printable(string s) => new(s.Take(120).Select(c => char.IsControl(c) || char.IsSurrogate(c) || c is '\uFFFE' or '\uFFFF' ? '?' : c).ToArray());
}
