using System.Text.Json;
using System.Text.Json.Serialization;

namespace Imr.Domain.Cases;

/// <summary>
/// What every step after intake needs from a case's package, built once from the one parse of its manifest at intake:
/// the application as accepted (eligibility and combining judge it), the parties' contacts, the applications combined
/// into the case, the documents attached to it and the manifest's hash. <see cref="Package"/> is the case as the reviewer,
/// the matching, the letter and the notices see it, computed in memory. Immutable: a change (an application combined into
/// the case, a document attached) is a new record with the next <see cref="Version"/>, so a stored version never changes.
/// </summary>
public sealed record CaseRecord
{
    private static readonly JsonSerializerOptions StoredJson = new(CasePackage.JsonOptions) { WriteIndented = false };

    public required string CaseNumber { get; init; }
    /// <summary>1 as accepted at intake; each change adds one.</summary>
    public int Version { get; init; } = 1;
    /// <summary>SHA-256 (hex) of the manifest as accepted.</summary>
    public required string ManifestSha256 { get; init; }
    /// <summary>The case's own application exactly as accepted, without combined applications; the same in every version.</summary>
    public required CasePackage Application { get; init; }
    /// <summary>Applications combined into the case, in the order they joined it (merged ids depend on the order).</summary>
    public IReadOnlyList<CombinedApplication> Combined { get; init; } = [];
    /// <summary>The documents in the case files (listed or supplementary, under their names in the case), by name.</summary>
    public IReadOnlyList<CaseDocument> AttachedDocuments { get; init; } = [];

    [JsonIgnore]
    public PartyContacts Contacts => Application.Contacts ?? PartyContacts.None;

    /// <summary>The parties' postal addresses, for mailings to parties without e-mail.</summary>
    [JsonIgnore]
    public PartyAddresses Addresses => Application.PostalAddresses ?? PartyAddresses.None;

    /// <summary>
    /// The case's package: its own application with the combined applications' items and documents merged in
    /// (<see cref="CombinedApplications"/>) and the documents attached after it added (<see cref="SupplementaryRecords"/>).
    /// The one view for everything that reviews, decides or writes about the case.
    /// </summary>
    [JsonIgnore]
    public CasePackage Package => SupplementaryRecords.AddTo(CombinedApplications.Merge(Application, Combined), AttachedDocuments);

    /// <summary>The record of an application accepted at intake, with the documents attached with it.</summary>
    public static CaseRecord Accepted(CasePackage application, string manifestSha256, IEnumerable<CaseDocument> attached) => new()
    {
        CaseNumber = Cases.CaseNumber.Parse(application.CaseNumber).Value,
        ManifestSha256 = manifestSha256,
        Application = application,
        AttachedDocuments = Sorted(attached),
    };

    /// <summary>Whether a document of that name (as in the case files) is attached.</summary>
    public bool IsAttached(string fileName) => AttachedDocuments.Any(d => string.Equals(d.FileName, fileName, StringComparison.Ordinal));

    public bool HasCombined(string caseNumber) => Combined.Any(c => string.Equals(c.CaseNumber, caseNumber, StringComparison.OrdinalIgnoreCase));

    /// <summary>The next version with the documents not attached yet; this record itself when every one is.</summary>
    public CaseRecord WithAttached(IEnumerable<CaseDocument> documents)
    {
        var added = new List<CaseDocument>();
        foreach (var d in documents)
        {
            if (!IsAttached(d.FileName) && !added.Any(a => string.Equals(a.FileName, d.FileName, StringComparison.Ordinal)))
            {
                added.Add(d);
            }
        }

        return added.Count == 0 ? this : this with { Version = Version + 1, AttachedDocuments = Sorted([.. AttachedDocuments, .. added]) };
    }

    /// <summary>
    /// The next version with the application combined into the case (after those combined before) and its documents that
    /// were attached; this record itself when both are in already. A case is never combined into itself.
    /// </summary>
    public CaseRecord WithCombined(CombinedApplication application, IEnumerable<CaseDocument> attached)
    {
        if (HasCombined(application.CaseNumber) || string.Equals(application.CaseNumber, CaseNumber, StringComparison.OrdinalIgnoreCase))
        {
            return WithAttached(attached);
        }

        var combined = this with { Version = Version + 1, Combined = [.. Combined, application] };
        var withDocuments = combined.WithAttached(attached);
        return ReferenceEquals(withDocuments, combined) ? combined : withDocuments with { Version = combined.Version };
    }

    /// <summary>Where the application's documents sit (or will sit) in the case: (its case, its file name, the name in the case).</summary>
    public IReadOnlyList<(string FromCase, string FileName, string NameInCase)> DocumentNamesOf(CombinedApplication application) =>
        CombinedApplications.DocumentNames(Application, UpTo(application)).Where(n => string.Equals(n.FromCase, application.CaseNumber, StringComparison.OrdinalIgnoreCase)).ToList();

    /// <summary>The ids the application's disputed items have (or will have) in the case.</summary>
    public IReadOnlyList<string> ItemIdsAddedBy(CombinedApplication application)
    {
        var upTo = UpTo(application);
        var known = CombinedApplications.Merge(Application, upTo.Take(upTo.Count - 1)).DisputedItems.Select(i => i.ItemId).ToHashSet(StringComparer.Ordinal);
        return CombinedApplications.Merge(Application, upTo).DisputedItems.Select(i => i.ItemId).Where(id => !known.Contains(id)).ToList();
    }

    // The combined applications up to and including this one: in its place once combined, else after the others.
    private List<CombinedApplication> UpTo(CombinedApplication application)
    {
        var index = Combined.ToList().FindIndex(c => string.Equals(c.CaseNumber, application.CaseNumber, StringComparison.OrdinalIgnoreCase));
        return index < 0 ? [.. Combined, application] : Combined.Take(index + 1).ToList();
    }

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, StoredJson);

    public static CaseRecord FromJson(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize<CaseRecord>(json, StoredJson) ?? throw new JsonException("An empty case record.");

    // In name order, as the case files list them.
    private static List<CaseDocument> Sorted(IEnumerable<CaseDocument> documents) => documents.OrderBy(d => d.FileName, StringComparer.Ordinal).ToList();
}
