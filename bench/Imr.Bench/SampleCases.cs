using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Imr.Functions.Storage;
using Imr.LocalRuntime.Demo;

namespace Imr.Bench;

/// <summary>
/// The load drivers' cases: copies of the sample case (samples/sample-case) under new case numbers, uploaded to intake
/// as the upstream system does (documents first, the manifest last), and the sample reviewer's determination answers.
/// Shared by the macro benchmark and the chaos harness.
/// </summary>
public sealed class SampleCases
{
    private readonly JsonNode _manifestTemplate;
    private readonly string[] _documents;

    /// <param name="mix">The real case mix to draw each case's shape from (<c>--mix</c>); null: every case is the sample case.</param>
    public SampleCases(string repoRoot, CaseMix? mix = null)
    {
        Mix = mix;
        var folder = Path.Combine(repoRoot, "samples", "sample-case", "CM13-0012345");
        _manifestTemplate = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "manifest.json")))!;
        _documents = Directory.GetFiles(folder).Where(f => Path.GetFileName(f) != "manifest.json").Order(StringComparer.Ordinal).ToArray();
        DeterminationAnswers = SampleCaseDriver.DeterminationForm(SampleCaseDriver.LoadDetermination(Path.Combine(repoRoot, "samples", "sample-case", "determination.json")));
    }

    /// <summary>The case mix the uploads follow, or null for the sample case's one shape.</summary>
    public CaseMix? Mix { get; }

    /// <summary>The manifest the case is uploaded with: the sample's, under the case's number, shaped by the mix when there is one.</summary>
    public JsonNode ManifestFor(string caseNumber)
    {
        var manifest = _manifestTemplate.DeepClone();
        manifest["caseNumber"] = caseNumber;
        manifest["utilizationReview"]!["referenceNumber"] = "UR-" + caseNumber; // each case its own UR decision, or all but the first are duplicate applications
        if (Mix is not null) CaseMix.Apply(manifest, Mix.ShapeFor(caseNumber));
        return manifest;
    }

    /// <summary>The determination form's fields as the sample reviewer fills them in.</summary>
    public Dictionary<string, string> DeterminationAnswers { get; }

    /// <summary>The outcome the reviewer gives each disputed item (item id → outcome), as the letter records it.</summary>
    public IReadOnlyDictionary<string, string> Outcomes =>
        DeterminationAnswers.Where(f => f.Key.StartsWith("outcome_", StringComparison.Ordinal)).ToDictionary(f => f.Key["outcome_".Length..], f => f.Value);

    /// <summary>Uploads one case; called with <paramref name="uploading"/> just before the manifest (the upload that starts the case).</summary>
    public async Task UploadAsync(BlobContainerClient intake, string caseNumber, Action? uploading = null, CancellationToken ct = default)
    {
        foreach (var d in _documents) await intake.GetBlobClient($"{caseNumber}/{Path.GetFileName(d)}").UploadAsync(d, overwrite: true, ct);
        var manifest = ManifestFor(caseNumber);
        uploading?.Invoke();
        await intake.GetBlobClient($"{caseNumber}/manifest.json").UploadAsync(BinaryData.FromString(manifest.ToJsonString()), overwrite: true, ct);
    }

    public static BlobContainerClient Intake(BlobServiceClient blobs) => blobs.GetBlobContainerClient(StorageNames.IntakeContainer);
}
