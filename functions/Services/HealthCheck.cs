using Imr.Functions.Storage;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace Imr.Functions.Services;

/// <summary>
/// What the platform's health check (App Service health check, load balancers, the postdeploy hook) asks: can this
/// instance reach its storage, its durable backend, and does it hold a usable callback signing key. The answer names
/// checks and outcomes only: no case data, no exception messages (they can carry URLs or identifiers).
/// </summary>
public sealed class HealthCheck(StorageClients storage, IOptions<CallbackOptions> callback)
{
    /// <summary>Each check gets at most this long: a hung dependency is unhealthy, not a hung probe.</summary>
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);

    /// <summary>An instance id no orchestration uses: reading it proves the durable backend answers.</summary>
    public const string ProbeInstanceId = "health-probe";

    /// <summary>Runs every check (at once) and reports each; healthy only when all are.</summary>
    public async Task<HealthReport> RunAsync(DurableTaskClient durable, CancellationToken ct = default)
    {
        var checks = await Task.WhenAll(
            CheckAsync("storage", async token =>
            {
                await storage.Table(StorageNames.CasesTable).QueryAsync<Azure.Data.Tables.TableEntity>(maxPerPage: 1, select: ["PartitionKey"], cancellationToken: token).AsPages().GetAsyncEnumerator(token).MoveNextAsync();
                if (!await storage.Container(StorageNames.DeterminationsContainer).ExistsAsync(token)) throw new InvalidOperationException("container missing");
            }, ct),
            CheckAsync("durable", async token => await durable.GetInstanceAsync(ProbeInstanceId, getInputsAndOutputs: false, token), ct),
            CheckAsync("signingKey", _ => callback.Value.Problems().Any() ? throw new InvalidOperationException("signing key not usable") : Task.CompletedTask, ct));
        return new HealthReport(checks.All(c => c.Healthy) ? "Healthy" : "Unhealthy", checks.ToDictionary(c => c.Name, c => c.Healthy ? "Healthy" : $"Unhealthy ({c.Failure})"));
    }

    private static async Task<(string Name, bool Healthy, string? Failure)> CheckAsync(string name, Func<CancellationToken, Task> check, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(CheckTimeout);
        try
        {
            await check(timeout.Token);
            return (name, true, null);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            // The failure's type only (e.g. RequestFailedException, OperationCanceledException): messages may hold URLs.
            return (name, false, timeout.IsCancellationRequested ? "timed out" : ex.GetType().Name);
        }
    }
}

/// <summary>The health answer: overall status and each check's outcome.</summary>
public sealed record HealthReport(string Status, IReadOnlyDictionary<string, string> Checks)
{
    /// <summary>Whether every check passed.</summary>
    public bool Healthy => Status == "Healthy";
}
