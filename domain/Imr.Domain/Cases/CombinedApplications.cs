namespace Imr.Domain.Cases;

/// <summary>An application combined into an open case (8 CCR 9792.10.x combining): its own case number and accepted package.</summary>
public sealed record CombinedApplication(string CaseNumber, CasePackage Package);

/// <summary>
/// One case package out of an open case and the applications combined into it, so the reviewer's pages, the determination
/// form, the quality check and the letter cover every disputed item. The combined items and documents are renamed
/// deterministically with the combined application's case number (<c>{case}-{id}</c>), so ids stay unique and the same
/// merge always gives the same ids. The target's own parties, UR decision and program stay those of the case.
/// </summary>
public static class CombinedApplications
{
    /// <summary>The id a combined application's item has in the case it joined.</summary>
    public static string ItemIdIn(string combinedCaseNumber, string itemId) => $"{combinedCaseNumber}-{itemId}";

    /// <summary>The file name a combined application's document has among the case's documents (and in its case files).</summary>
    public static string DocumentNameIn(string combinedCaseNumber, string fileName) => $"{combinedCaseNumber}-{fileName}";

    /// <param name="combined">In the order they were combined; the caller reads them in that order so ids never depend on storage order.</param>
    public static CasePackage Merge(CasePackage target, IEnumerable<CombinedApplication> combined) => MergeWithNames(target, combined).Package;

    /// <summary>Where each combined application's documents sit in the case: (combined case, its file name, the name in the case).</summary>
    public static IReadOnlyList<(string FromCase, string FileName, string NameInCase)> DocumentNames(CasePackage target, IEnumerable<CombinedApplication> combined) =>
        MergeWithNames(target, combined).Names;

    private static (CasePackage Package, List<(string, string, string)> Names) MergeWithNames(CasePackage target, IEnumerable<CombinedApplication> combined)
    {
        var names = new List<(string, string, string)>();
        var items = target.DisputedItems.ToList();
        var documents = target.Documents.ToList();
        var itemIds = new HashSet<string>(items.Select(i => i.ItemId), StringComparer.Ordinal);
        var fileNames = new HashSet<string>(documents.Select(d => d.FileName), StringComparer.OrdinalIgnoreCase);
        var any = false;
        foreach (var application in combined)
        {
            if (string.Equals(application.CaseNumber, target.CaseNumber, StringComparison.OrdinalIgnoreCase))
            {
                continue; // a case is never combined into itself
            }

            any = true;
            foreach (var item in application.Package.DisputedItems)
            {
                items.Add(item with { ItemId = Unique(ItemIdIn(application.CaseNumber, item.ItemId), itemIds) });
            }

            foreach (var document in application.Package.Documents)
            {
                var nameInCase = Unique(DocumentNameIn(application.CaseNumber, document.FileName), fileNames);
                names.Add((application.CaseNumber, document.FileName, nameInCase));
                documents.Add(document with { FileName = nameInCase });
            }
        }

        return (any ? target with { DisputedItems = items, Documents = documents } : target, names);
    }

    // Deterministic even against a target item that happens to carry the prefixed name already.
    private static string Unique(string candidate, HashSet<string> taken)
    {
        var id = candidate;
        for (var n = 2; !taken.Add(id); n++)
        {
            id = $"{candidate}-{n}";
        }

        return id;
    }
}

/// <summary>
/// Records attached to a case after its package (supplementary uploads, not listed in any manifest) belong to the case's
/// documents too: the reviewer must see everything the case holds.
/// </summary>
public static class SupplementaryRecords
{
    /// <param name="attached">The documents attached to the case (listed or not), in a stable order.</param>
    public static CasePackage AddTo(CasePackage package, IEnumerable<CaseDocument> attached)
    {
        var listed = new HashSet<string>(package.Documents.Select(d => d.FileName), StringComparer.OrdinalIgnoreCase);
        var extra = attached.Where(d => listed.Add(d.FileName)).ToList();
        return extra.Count == 0 ? package : package with { Documents = [.. package.Documents, .. extra] };
    }
}
