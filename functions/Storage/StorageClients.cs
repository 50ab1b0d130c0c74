using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;

namespace Imr.Functions.Storage;

/// <summary>The app's Blob and Table clients, from a connection string (Azurite) or from service URIs and a managed identity (Azure).</summary>
public sealed class StorageClients
{
    public StorageClients(BlobServiceClient blobs, TableServiceClient tables)
    {
        Blobs = blobs;
        Tables = tables;
    }

    public BlobServiceClient Blobs { get; }
    public TableServiceClient Tables { get; }

    public BlobContainerClient Container(string name) => Blobs.GetBlobContainerClient(name);
    public TableClient Table(string name) => Tables.GetTableClient(name);

    public static StorageClients FromConfiguration(IConfiguration configuration, string connectionName = StorageNames.Connection, StorageRequestCounter? counter = null)
    {
        var blobOptions = new BlobClientOptions();
        var tableOptions = new TableClientOptions();
        if (counter is not null)
        {
            blobOptions.AddPolicy(counter.PolicyFor("blob"), HttpPipelinePosition.PerRetry);
            tableOptions.AddPolicy(counter.PolicyFor("table"), HttpPipelinePosition.PerRetry);
        }

        var connectionString = configuration[connectionName];
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return new StorageClients(new BlobServiceClient(connectionString, blobOptions), new TableServiceClient(connectionString, tableOptions));
        }

        // Identity-based connection: the Functions convention <name>__blobServiceUri, <name>__tableServiceUri, <name>__clientId.
        var section = configuration.GetSection(connectionName);
        var blobUri = section["blobServiceUri"] ?? throw new InvalidOperationException($"Setting '{connectionName}' (a connection string) or '{connectionName}__blobServiceUri' is required.");
        var tableUri = section["tableServiceUri"] ?? throw new InvalidOperationException($"Setting '{connectionName}__tableServiceUri' is required.");
        var credential = CredentialFor(configuration, connectionName);
        return new StorageClients(new BlobServiceClient(new Uri(blobUri), credential, blobOptions), new TableServiceClient(new Uri(tableUri), credential, tableOptions));
    }

    /// <summary>
    /// The app's Entra ID credential: the user-assigned managed identity named by <c>&lt;connection&gt;__clientId</c>
    /// (the one the storage connection uses), else <see cref="DefaultAzureCredential"/>. Other Azure services the app
    /// calls (e.g. Communication Services e-mail) authenticate with the same identity.
    /// </summary>
    public static TokenCredential CredentialFor(IConfiguration configuration, string connectionName = StorageNames.Connection) =>
        configuration.GetSection(connectionName)["clientId"] is { Length: > 0 } clientId
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new DefaultAzureCredential();

    /// <summary>Creates the containers and tables the app uses (Azure: infra creates them; locally and in tests: this).</summary>
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken = default)
    {
        foreach (var c in StorageNames.Containers)
        {
            await Container(c).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }

        foreach (var t in StorageNames.Tables)
        {
            await Table(t).CreateIfNotExistsAsync(cancellationToken);
        }
    }
}
