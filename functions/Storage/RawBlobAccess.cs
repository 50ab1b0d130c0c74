using System.Net;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Sas;

namespace Imr.Functions.Storage;

/// <summary>
/// Reads and deletes blobs whose names the SDK cannot address. <see cref="Uri"/> resolves "." and ".." segments (escaped
/// ones too), so a client for <c>CASE/../../secrets.txt</c> talks to another blob, or to an invalid container. Such names can
/// still be stored through the REST API (Azurite keeps them as sent); intake must still move them to quarantine. These calls
/// build the URI without canonicalisation and are authorised by a short-lived SAS: the account key when the app has one
/// (a connection string), otherwise a user delegation key from the app's identity.
/// </summary>
public sealed class RawBlobAccess(StorageClients storage)
{
    private const string ApiVersion = "2025-01-05";
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(100) };
    private static readonly UriCreationOptions Verbatim = new() { DangerousDisablePathAndQueryCanonicalization = true };

    private (UserDelegationKey Key, DateTimeOffset Expires)? _delegation;

    public sealed record Properties(ETag ETag, long Length, string? ContentType);

    /// <summary>True when the SDK's client for this name addresses exactly this blob in this container.</summary>
    public static bool IsAddressable(BlobContainerClient container, string name)
    {
        try
        {
            var parsed = new BlobUriBuilder(container.GetBlobClient(name).Uri);
            return parsed.BlobContainerName == container.Name && parsed.BlobName == name;
        }
        catch (Exception ex) when (ex is UriFormatException or ArgumentException)
        {
            return false;
        }
    }

    public async Task<Properties?> GetPropertiesAsync(BlobContainerClient container, string name, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Head, container, name, null, ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureSuccessAsync(response, name);
        return new Properties(new ETag(response.Headers.ETag?.Tag ?? ""), response.Content.Headers.ContentLength ?? 0, response.Content.Headers.ContentType?.ToString());
    }

    /// <summary>The content of the version seen (If-Match), or null when it is gone or was replaced.</summary>
    public async Task<BinaryData?> DownloadAsync(BlobContainerClient container, string name, ETag ifMatch, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Get, container, name, ifMatch, ct);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.PreconditionFailed)
        {
            return null;
        }

        await EnsureSuccessAsync(response, name);
        return BinaryData.FromBytes(await response.Content.ReadAsByteArrayAsync(ct));
    }

    /// <summary>Deletes the version seen; a newer upload under the name stays.</summary>
    public async Task DeleteAsync(BlobContainerClient container, string name, ETag ifMatch, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Delete, container, name, ifMatch, ct);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.PreconditionFailed)
        {
            return;
        }

        await EnsureSuccessAsync(response, name);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, BlobContainerClient container, string name, ETag? ifMatch, CancellationToken ct)
    {
        // Each segment escaped (control characters, '%', '?', '#'), the dots left as they are: the service decodes the path.
        var path = string.Join('/', name.Split('/').Select(Uri.EscapeDataString));
        var uri = new Uri($"{container.Uri.AbsoluteUri.TrimEnd('/')}/{path}?{await SasAsync(container, ct)}", in Verbatim);
        using var request = new HttpRequestMessage(method, uri);
        request.Headers.Add("x-ms-version", ApiVersion);
        if (ifMatch is { } etag && etag != default)
        {
            request.Headers.TryAddWithoutValidation("If-Match", etag.ToString("H"));
        }

        return await Http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
    }

    private async Task<string> SasAsync(BlobContainerClient container, CancellationToken ct)
    {
        var expires = DateTimeOffset.UtcNow.AddMinutes(15);
        var builder = new BlobSasBuilder(BlobContainerSasPermissions.Read | BlobContainerSasPermissions.Delete, expires)
        {
            BlobContainerName = container.Name,
            Resource = "c",
            StartsOn = DateTimeOffset.UtcNow.AddMinutes(-5),
        };
        if (container.CanGenerateSasUri)
        {
            return container.GenerateSasUri(builder).Query.TrimStart('?');
        }

        if (_delegation is not { } d || d.Expires < DateTimeOffset.UtcNow.AddMinutes(20))
        {
            var until = DateTimeOffset.UtcNow.AddHours(1);
            d = ((await storage.Blobs.GetUserDelegationKeyAsync(DateTimeOffset.UtcNow.AddMinutes(-5), until, ct)).Value, until);
            _delegation = d;
        }

        return builder.ToSasQueryParameters(d.Key, storage.Blobs.AccountName).ToString();
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string name)
    {
        if (!response.IsSuccessStatusCode)
        {
            var code = response.Headers.TryGetValues("x-ms-error-code", out var codes) ? codes.FirstOrDefault() : null;
            var detail = response.Content is null ? "" : await response.Content.ReadAsStringAsync();
            throw new RequestFailedException((int)response.StatusCode, $"Raw blob request failed ({(int)response.StatusCode} {code}) for a blob name of {name.Length} characters. {detail[..Math.Min(detail.Length, 300)]}", code, null);
        }
    }
}
