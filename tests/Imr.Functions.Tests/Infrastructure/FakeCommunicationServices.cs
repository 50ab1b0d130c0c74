using System.Collections.Concurrent;
using System.Net;
using Azure.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Imr.Functions.Tests.Infrastructure;

/// <summary>One request the stand-in received, as it arrived on the wire.</summary>
public sealed record ReceivedSend(string Method, string Path, string? ApiVersion, string? Authorization, string? OperationId, string Body, int Status);

/// <summary>
/// A loopback HTTP endpoint (Kestrel) standing in for Azure Communication Services Email: it records every request and
/// answers 202 Accepted like the service (or 500 when told to fail). Not the real service: it checks nothing itself.
/// </summary>
public sealed class FakeCommunicationServices : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedSend> _requests = new();
    private int _failuresLeft;
    private Func<ReceivedSend, bool> _failWhen = _ => false;
    private TaskCompletionSource<ReceivedSend>? _holdArrived;
    private TaskCompletionSource? _holdRelease;

    private FakeCommunicationServices(WebApplication app) => _app = app;

    public Uri Endpoint { get; private set; } = null!;
    public IReadOnlyList<ReceivedSend> Requests => _requests.ToList();

    /// <summary>Answer the next <paramref name="count"/> matching requests with 500.</summary>
    public void FailNext(int count, Func<ReceivedSend, bool> when)
    {
        _failWhen = when;
        Volatile.Write(ref _failuresLeft, count);
    }

    /// <summary>
    /// Holds the next request (unanswered) until <paramref name="release"/> completes; the task completes when it
    /// arrives, so a test can act while the sender waits on the service.
    /// </summary>
    public Task<ReceivedSend> HoldNext(Task release)
    {
        var arrived = new TaskCompletionSource<ReceivedSend>(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        release.ContinueWith(_ => gate.TrySetResult(), TaskScheduler.Default);
        _holdRelease = gate;
        Volatile.Write(ref _holdArrived, arrived);
        return arrived.Task;
    }

    /// <summary>
    /// The managed-identity token endpoint of App Service (IDENTITY_ENDPOINT, header X-IDENTITY-HEADER), for an app in
    /// another process whose credential is ManagedIdentityCredential: it answers every request with a fixed token.
    /// </summary>
    public Uri IdentityEndpoint => new(Endpoint, "msi/token");

    public const string IdentityHeader = "test-identity-header";

    public static async Task<FakeCommunicationServices> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var fake = new FakeCommunicationServices(app);
        app.Run(async context =>
        {
            if (context.Request.Path.StartsWithSegments("/msi"))
            {
                context.Response.ContentType = "application/json";
                var expires = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
                await context.Response.WriteAsync($"{{\"access_token\":\"test-msi-token\",\"expires_on\":\"{expires}\",\"resource\":\"{context.Request.Query["resource"]}\",\"token_type\":\"Bearer\"}}");
                return;
            }

            using var reader = new StreamReader(context.Request.Body);
            var received = new ReceivedSend(
                context.Request.Method,
                context.Request.Path.Value ?? "",
                context.Request.Query["api-version"].FirstOrDefault(),
                context.Request.Headers.Authorization.FirstOrDefault(),
                context.Request.Headers["Operation-Id"].FirstOrDefault(),
                await reader.ReadToEndAsync(),
                202);
            if (Interlocked.Exchange(ref fake._holdArrived, null) is { } arrived)
            {
                var release = fake._holdRelease!.Task;
                arrived.TrySetResult(received);
                await release;
            }

            var fail = fake._failWhen(received) && Interlocked.Decrement(ref fake._failuresLeft) >= 0;
            received = received with { Status = fail ? 500 : 202 };
            fake._requests.Enqueue(received);
            context.Response.StatusCode = received.Status;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(fail
                ? "{\"error\":{\"code\":\"InternalServerError\",\"message\":\"Injected failure.\"}}"
                : $"{{\"id\":\"{received.OperationId}\",\"status\":\"Running\"}}");
        });
        await app.StartAsync();
        fake.Endpoint = new Uri(app.Urls.First());
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>A fixed bearer token, recording the scopes it was asked for (what the managed identity would be asked).</summary>
public sealed class StaticTokenCredential(string token) : TokenCredential
{
    private readonly ConcurrentQueue<string[]> _scopes = new();

    public IReadOnlyList<string[]> Scopes => _scopes.ToList();

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        _scopes.Enqueue(requestContext.Scopes);
        return new AccessToken(token, DateTimeOffset.UtcNow.AddHours(1));
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}
