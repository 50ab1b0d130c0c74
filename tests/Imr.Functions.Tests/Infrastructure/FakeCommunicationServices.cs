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

    private FakeCommunicationServices(WebApplication app) => _app = app;

    public Uri Endpoint { get; private set; } = null!;
    public IReadOnlyList<ReceivedSend> Requests => _requests.ToList();

    /// <summary>Answer the next <paramref name="count"/> matching requests with 500.</summary>
    public void FailNext(int count, Func<ReceivedSend, bool> when)
    {
        _failWhen = when;
        Volatile.Write(ref _failuresLeft, count);
    }

    public static async Task<FakeCommunicationServices> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var fake = new FakeCommunicationServices(app);
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var received = new ReceivedSend(
                context.Request.Method,
                context.Request.Path.Value ?? "",
                context.Request.Query["api-version"].FirstOrDefault(),
                context.Request.Headers.Authorization.FirstOrDefault(),
                context.Request.Headers["Operation-Id"].FirstOrDefault(),
                await reader.ReadToEndAsync(),
                202);
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
