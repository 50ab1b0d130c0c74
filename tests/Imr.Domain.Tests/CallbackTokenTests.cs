using Imr.Domain.Callbacks;
using Microsoft.Extensions.Time.Testing;

namespace Imr.Domain.Tests;

public class CallbackTokenTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
    private static readonly byte[] KeyA = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] KeyB = Enumerable.Range(100, 32).Select(i => (byte)i).ToArray();

    private CallbackTokenService Service(string current, params (string Id, byte[] Key)[] keys) =>
        new(new CallbackKeyRing(current, keys.ToDictionary(k => k.Id, k => k.Key)), _time);

    private CallbackClaims Claims(CallbackAction action = CallbackAction.Accept) =>
        new("CM13-1", "CM13-1-A1", "rev-002", action, _time.GetUtcNow().AddHours(1));

    [Fact]
    public void A_token_verifies_for_its_action_and_assignment()
    {
        var service = Service("a", ("a", KeyA));
        var token = service.Issue(Claims());

        var result = service.Verify(token, CallbackAction.Accept, "CM13-1-A1");

        Assert.True(result.IsValid);
        Assert.Equal("rev-002", result.Claims!.ReviewerId);
    }

    [Fact]
    public void A_token_is_refused_for_another_action_another_assignment_or_after_expiry()
    {
        var service = Service("a", ("a", KeyA));
        var token = service.Issue(Claims());

        Assert.Equal(TokenProblem.WrongAction, service.Verify(token, CallbackAction.SubmitDetermination, "CM13-1-A1").Problem);
        Assert.Equal(TokenProblem.WrongAssignment, service.Verify(token, CallbackAction.Accept, "CM13-1-A2").Problem);
        _time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(TokenProblem.Expired, service.Verify(token, CallbackAction.Accept, "CM13-1-A1").Problem);
    }

    [Fact]
    public void A_tampered_payload_or_signature_is_refused()
    {
        var service = Service("a", ("a", KeyA));
        var parts = service.Issue(Claims()).Split('.');
        var forgedPayload = service.Issue(Claims() with { ReviewerId = "rev-999" }).Split('.')[1];

        Assert.Equal(TokenProblem.BadSignature, service.Verify($"{parts[0]}.{forgedPayload}.{parts[2]}", CallbackAction.Accept, "CM13-1-A1").Problem);
        Assert.Equal(TokenProblem.BadSignature, service.Verify($"{parts[0]}.{parts[1]}.{parts[2][..^2]}AA", CallbackAction.Accept, "CM13-1-A1").Problem);
        Assert.Equal(TokenProblem.Malformed, service.Verify("not-a-token", CallbackAction.Accept, "CM13-1-A1").Problem);
        Assert.Equal(TokenProblem.UnknownKey, service.Verify($"zz.{parts[1]}.{parts[2]}", CallbackAction.Accept, "CM13-1-A1").Problem);
    }

    [Fact]
    public void After_rotation_links_signed_with_the_previous_key_still_verify()
    {
        var before = Service("a", ("a", KeyA)).Issue(Claims());
        var rotated = Service("b", ("a", KeyA), ("b", KeyB));

        Assert.True(rotated.Verify(before, CallbackAction.Accept, "CM13-1-A1").IsValid);
        Assert.StartsWith("b.", rotated.Issue(Claims()));
    }
}
