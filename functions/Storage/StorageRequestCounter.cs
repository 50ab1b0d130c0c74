using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Imr.Functions.Storage;

/// <summary>
/// Counts storage requests by service and operation kind in the Azure SDK pipeline (every try, retries included,
/// as the storage service bills them). Optional: registered by the benchmark to measure transactions per case.
/// A second dimension, the target, is the table, container or queue a request addresses: only those names, never a
/// blob name, entity key or query, so it carries no case data. It tells which store a case costs, and the durable
/// provider's requests apart (its tables, queues and containers are named after the task hub).
/// </summary>
public sealed class StorageRequestCounter
{
    private readonly ConcurrentDictionary<(string Service, string Kind, string Target), long> _counts = new();

    /// <param name="service">blob, queue or table.</param>
    /// <param name="batchOwner">
    /// The target written for this client's table batches, whose table is named only in the body: e.g. the durable
    /// provider's task hub (it writes history in batches; the application writes none). Default "$batch".
    /// </param>
    public HttpPipelinePolicy PolicyFor(string service, string? batchOwner = null) => new CountingPolicy(this, service, batchOwner);

    /// <summary>Requests by service and kind (targets summed).</summary>
    public IReadOnlyDictionary<(string Service, string Kind), long> Snapshot() =>
        _counts.GroupBy(c => (c.Key.Service, c.Key.Kind)).ToDictionary(g => g.Key, g => g.Sum(c => c.Value));

    /// <summary>Requests by service, kind and target (table, container or queue name; "" for account-level requests).</summary>
    public IReadOnlyDictionary<(string Service, string Kind, string Target), long> SnapshotByTarget() => new Dictionary<(string, string, string), long>(_counts);

    public void Reset() => _counts.Clear();

    private void Count(string service, Request request, string? batchOwner)
    {
        var target = TargetOf(service, request);
        if (batchOwner is not null && target == "$batch") target = batchOwner + "$batch";
        _counts.AddOrUpdate((service, KindOf(service, request), target), 1, (_, n) => n + 1);
    }

    /// <summary>
    /// The table, container or queue a request addresses: the first path segment after the account (the emulator puts
    /// the account in the path, Azure in the host name), a table's key or query part cut off. A table batch names its
    /// table only in its body: "$batch". Never a blob name or an entity key.
    /// </summary>
    public static string TargetOf(string service, Request request)
    {
        var segments = request.Uri.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var host = request.Uri.Host ?? "";
        var accountInPath = host == "localhost" || System.Net.IPAddress.TryParse(host, out _) || !host.Contains('.', StringComparison.Ordinal);
        var first = segments.Skip(accountInPath ? 1 : 0).FirstOrDefault() ?? "";
        first = Uri.UnescapeDataString(first);
        if (service == "table")
        {
            var paren = first.IndexOf('(', StringComparison.Ordinal);
            return paren >= 0 ? first[..paren] : first;
        }

        return first;
    }

    /// <summary>The storage operation a request performs, from its verb, path and query (no names or keys are kept).</summary>
    public static string KindOf(string service, Request request)
    {
        var method = request.Method.Method;
        var query = request.Uri.Query;
        string? Param(string name)
        {
            foreach (var part in query.TrimStart('?').Split('&'))
            {
                var kv = part.Split('=', 2);
                if (kv[0] == name) return kv.Length > 1 ? kv[1] : "";
            }

            return null;
        }

        var comp = Param("comp");
        var path = request.Uri.Path.TrimEnd('/');
        return service switch
        {
            "blob" => comp is not null ? $"{method} comp={comp}" : Param("restype") is { } r ? $"{method} restype={r}" : method switch
            {
                "GET" => "GetBlob",
                "HEAD" => "GetBlobProperties",
                "PUT" => "PutBlob",
                "DELETE" => "DeleteBlob",
                _ => method,
            },
            "queue" => path.EndsWith("/messages", StringComparison.Ordinal) ? method switch
            {
                "GET" => Param("peekonly") == "true" ? "PeekMessages" : "GetMessages",
                "POST" => "PutMessage",
                "DELETE" => "ClearMessages",
                _ => method,
            } : path.Contains("/messages/", StringComparison.Ordinal) ? method switch
            {
                "DELETE" => "DeleteMessage",
                "PUT" => "UpdateMessage",
                _ => method,
            } : comp is not null ? $"{method} comp={comp}" : $"{method} queue",
            "table" => path.EndsWith("$batch", StringComparison.Ordinal) ? "Batch" : method switch
            {
                "GET" => path.EndsWith(')') && path.Contains("PartitionKey=", StringComparison.Ordinal) && path.Contains("RowKey=", StringComparison.Ordinal) ? "GetEntity" : "QueryEntities",
                "POST" => path.EndsWith("/Tables", StringComparison.OrdinalIgnoreCase) ? "CreateTable" : "InsertEntity",
                "PUT" => "UpdateEntity",
                "PATCH" or "MERGE" => "MergeEntity",
                "DELETE" => "DeleteEntity",
                _ => method,
            },
            _ => method,
        };
    }

    private sealed class CountingPolicy(StorageRequestCounter counter, string service, string? batchOwner) : HttpPipelineSynchronousPolicy
    {
        public override void OnSendingRequest(HttpMessage message) => counter.Count(service, message.Request, batchOwner);
    }
}
