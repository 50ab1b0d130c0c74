using Azure;
using Azure.Storage.Blobs.Models;
using Imr.Domain.Letters;
using Microsoft.Extensions.Logging;

namespace Imr.Functions.Storage;

/// <summary>
/// The wording templates in use: the ones shipped with the app (domain Letters/Templates) with the files staff put in the
/// blob container <c>templates</c> laid over them, <c>&lt;program&gt;/&lt;name&gt;.liquid</c> (docs/letters.md). Read at most
/// once per <see cref="RefreshAfter"/>, so a changed file takes effect within minutes and no letter waits on a listing.
/// A file that does not parse is skipped with a warning and the shipped wording stays: a staff typo must never stall a
/// case's statutory clock. Letters already issued keep the words they were issued with (their renderings are stored).
/// </summary>
public sealed class WordingTemplateStore(StorageClients clients, TimeProvider time, ILogger<WordingTemplateStore> logger)
{
    /// <summary>The container staff put their template files in; optional (no container, the shipped wording).</summary>
    public const string Container = "templates";
    public static readonly TimeSpan RefreshAfter = TimeSpan.FromMinutes(5);

    private (WordingTemplates Templates, DateTimeOffset ReadAt)? _current;

    /// <summary>The shipped templates with the container's overrides, as last read (two callers may both refresh: harmless).</summary>
    public async Task<WordingTemplates> CurrentAsync(CancellationToken ct = default)
    {
        if (_current is { } cached && time.GetUtcNow() - cached.ReadAt < RefreshAfter) return cached.Templates;
        var templates = await ReadAsync(ct);
        _current = (templates, time.GetUtcNow());
        return templates;
    }

    private async Task<WordingTemplates> ReadAsync(CancellationToken ct)
    {
        var container = clients.Container(Container);
        var overrides = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            await foreach (var blob in container.GetBlobsAsync(new GetBlobsOptions(), ct))
            {
                if (!blob.Name.EndsWith(".liquid", StringComparison.Ordinal)) continue;
                var text = (await container.GetBlobClient(blob.Name).DownloadContentAsync(ct)).Value.Content.ToString();
                if (WordingTemplates.ParseError(text) is { } error)
                {
                    logger.LogWarning("Wording template {Template} in container {Container} does not parse and is ignored: {Error}", blob.Name, Container, error);
                    continue;
                }

                overrides[blob.Name] = text;
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return WordingTemplates.Shipped; // no container: the shipped wording
        }

        if (overrides.Count > 0) logger.LogInformation("{Count} wording template(s) from container {Container} in use", overrides.Count, Container);
        return overrides.Count == 0 ? WordingTemplates.Shipped : WordingTemplates.Shipped.WithOverrides(overrides);
    }
}
