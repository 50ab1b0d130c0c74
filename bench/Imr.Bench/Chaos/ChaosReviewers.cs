using System.Collections.Concurrent;
using System.Net;
using System.Text.RegularExpressions;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Imr.Functions.Storage;

namespace Imr.Bench.Chaos;

public enum AnswerKind
{
    Accept,
    Determination,
}

/// <summary>An answer the reviewer was told was recorded: HTTP 200 with "accepted", "received" or "Already received".</summary>
public sealed record AcknowledgedAnswer(string CaseNumber, string AssignmentId, AnswerKind Kind, bool Repeat, int Attempts, DateTimeOffset At);

/// <summary>
/// Simulated reviewers: read offers and determination requests from the outbox, answer each through its link over
/// HTTP and, like a person whose browser showed an error, try again until the site answers (bounded in count and time).
/// Every answer the site acknowledged is recorded, so the check can prove it was applied. Answering can be held back to
/// gather a burst of concurrent POSTs that the chaos controller times a kill into.
/// </summary>
public sealed partial class ChaosReviewers(BlobServiceClient blobs, HttpClient http, string runPrefix, IReadOnlyDictionary<string, string> determinationAnswers, int concurrency, TextWriter log)
{
    private sealed record PendingAnswer(string CaseNumber, string AssignmentId, AnswerKind Kind, Uri Link);

    private readonly ConcurrentQueue<PendingAnswer> _pending = new();
    private readonly ConcurrentDictionary<string, bool> _seen = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<Task> _running = [];
    private readonly SemaphoreSlim _gate = new(concurrency);
    private volatile bool _held;
    private int _inFlight;

    public ConcurrentBag<AcknowledgedAnswer> Acknowledged { get; } = [];
    /// <summary>Answers refused (4xx), answered unexpectedly, or given up after the retry budget: what and why.</summary>
    public ConcurrentBag<string> NotAcknowledged { get; } = [];
    public int Pending => _pending.Count;
    public int InFlight => Volatile.Read(ref _inFlight);
    public int Posts;
    /// <summary>Per answer: how long a reviewer keeps retrying before giving up.</summary>
    public TimeSpan AnswerBudget { get; init; } = TimeSpan.FromMinutes(4);

    public Task RunAsync(CancellationToken ct) => Task.WhenAll(PollAsync(ct), DispatchAsync(ct));

    /// <summary>Stops starting answers (they queue up) until <see cref="Release"/>.</summary>
    public void Hold() => _held = true;

    public void Release() => _held = false;

    /// <summary>Starts up to <paramref name="size"/> queued answers at once (held or not); returns their tasks.</summary>
    public IReadOnlyList<Task> Burst(int size, CancellationToken ct)
    {
        var started = new List<Task>();
        while (started.Count < size && _pending.TryDequeue(out var a)) started.Add(Start(a, gated: false, ct));
        return started;
    }

    /// <summary>Waits (bounded) for every started answer to finish: acknowledged, refused or given up.</summary>
    public async Task DrainAsync(TimeSpan timeout)
    {
        var all = Task.WhenAll(_running.ToArray());
        await Task.WhenAny(all, Task.Delay(timeout));
    }

    private async Task PollAsync(CancellationToken ct)
    {
        var outbox = blobs.GetBlobContainerClient(StorageNames.OutboxContainer);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                // Only this run's mail; the blob names say which answer a mail asks for.
                await foreach (var item in outbox.GetBlobsAsync(BlobTraits.None, BlobStates.None, runPrefix, ct))
                {
                    if (_seen.ContainsKey(item.Name) || AnswerMail().Match(item.Name) is not { Success: true } m) continue;
                    var content = Outbox.TextBody((await outbox.GetBlobClient(item.Name).DownloadContentAsync(ct)).Value.Content);
                    var link = MacroBenchmark.LinkIn(content);
                    if (!IPAddress.TryParse(link.Host, out var ip) || !IPAddress.IsLoopback(ip))
                    {
                        throw new InvalidOperationException($"The harness talks to loopback only; a mail links to {link.Host}.");
                    }

                    _seen[item.Name] = true;
                    _pending.Enqueue(new PendingAnswer(m.Groups["case"].Value, m.Groups["assignment"].Value, m.Groups["kind"].Value == "offer" ? AnswerKind.Accept : AnswerKind.Determination, link));
                }
            }
            catch (Exception e) when (!ct.IsCancellationRequested && e is not InvalidOperationException)
            {
                // Storage is down (the outage) or the listing broke: read again at the next poll.
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task DispatchAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            if (!_held && _pending.TryDequeue(out var a))
            {
                await _gate.WaitAsync(ct).ConfigureAwait(false);
                _running.Add(Start(a, gated: true, ct));
                continue;
            }

            try
            {
                await Task.Delay(100, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private Task Start(PendingAnswer a, bool gated, CancellationToken ct)
    {
        var task = Task.Run(async () =>
        {
            Interlocked.Increment(ref _inFlight);
            try
            {
                await AnswerAsync(a, ct);
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
                if (gated) _gate.Release();
            }
        }, CancellationToken.None);
        if (!gated) _running.Add(task);
        return task;
    }

    /// <summary>POSTs the answer until the site acknowledges or refuses it; connection errors, timeouts and 5xx are retried.</summary>
    private async Task AnswerAsync(PendingAnswer a, CancellationToken ct)
    {
        var token = Uri.UnescapeDataString(TokenInQuery().Match(a.Link.Query).Groups[1].Value);
        var fields = new Dictionary<string, string>(a.Kind == AnswerKind.Determination ? determinationAnswers : new Dictionary<string, string>()) { ["token"] = token };
        var target = new Uri(a.Link.GetLeftPart(UriPartial.Path));
        var until = DateTime.UtcNow + AnswerBudget;
        string last = "not tried";
        for (var attempt = 1; attempt <= 200 && DateTime.UtcNow < until && !ct.IsCancellationRequested; attempt++)
        {
            try
            {
                Interlocked.Increment(ref Posts);
                using var response = await http.PostAsync(target, new FormUrlEncodedContent(fields), ct);
                var body = await response.Content.ReadAsStringAsync(ct);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    var repeat = body.Contains("Already received", StringComparison.Ordinal);
                    if (repeat || body.Contains("You have accepted", StringComparison.Ordinal) || body.Contains("has been received", StringComparison.Ordinal))
                    {
                        Acknowledged.Add(new AcknowledgedAnswer(a.CaseNumber, a.AssignmentId, a.Kind, repeat, attempt, DateTimeOffset.UtcNow));
                        return;
                    }

                    NotAcknowledged.Add($"{a.AssignmentId} {a.Kind}: HTTP 200 without an acknowledgement");
                    return;
                }

                if ((int)response.StatusCode < 500)
                {
                    NotAcknowledged.Add($"{a.AssignmentId} {a.Kind}: HTTP {(int)response.StatusCode}");
                    return;
                }

                last = $"HTTP {(int)response.StatusCode}";
            }
            catch (Exception e) when (!ct.IsCancellationRequested && e is HttpRequestException or TaskCanceledException or IOException)
            {
                last = e.GetType().Name; // the runtime is down (killed) or storage is out: the reviewer tries again
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 500 * attempt)), ct);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        NotAcknowledged.Add($"{a.AssignmentId} {a.Kind}: gave up ({last})");
        log.WriteLine($"[chaos] reviewer gave up on {a.AssignmentId} {a.Kind}: {last}");
    }

    // outbox/{case}/{case}-A{n}-offer.eml and …-determination.eml (a returned determination's -r{n} mail is not answered).
    [GeneratedRegex(@"^(?<case>[^/]+)/(?<assignment>\k<case>-A\d+)-(?<kind>offer|determination)\.eml$")]
    private static partial Regex AnswerMail();

    [GeneratedRegex(@"[?&]token=([^&]+)")]
    private static partial Regex TokenInQuery();
}
