using Imr.Domain.Callbacks;
using Microsoft.Extensions.Time.Testing;

namespace Imr.Domain.Tests;

/// <summary>What a reviewer's link leads to: each kind of bad link has its own outcome, and only a usable one may act.</summary>
public class CallbackLinkTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
    private static readonly byte[] Key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private CallbackTokenService Service => new(new CallbackKeyRing("k1", new Dictionary<string, byte[]> { ["k1"] = Key }), _time);
    private CallbackClaims Claims(CallbackAction action = CallbackAction.Accept) => new("CM13-1", "CM13-1-A1", "rev-002", action, _time.GetUtcNow().AddHours(1));
    private static readonly AssignmentFacts Current = new("CM13-1-A1", "rev-002", IsCurrent: true, Ended: false);

    private LinkOutcome Judge(string token, CallbackAction action, AssignmentFacts? facts = null, bool used = false) =>
        CallbackLinkRules.Judge(Service.Verify(token, action, "CM13-1-A1"), facts ?? Current, used);

    [Fact]
    public void A_fresh_link_for_the_current_assignment_is_usable() =>
        Assert.Equal(LinkOutcome.Usable, Judge(Service.Issue(Claims()), CallbackAction.Accept));

    [Fact]
    public void A_forged_signature_is_tampered()
    {
        var parts = Service.Issue(Claims()).Split('.');
        var forged = new CallbackTokenService(new CallbackKeyRing("k1", new Dictionary<string, byte[]> { ["k1"] = Enumerable.Repeat((byte)9, 32).ToArray() }), _time).Issue(Claims());

        Assert.Equal(LinkOutcome.Tampered, Judge(forged, CallbackAction.Accept));
        Assert.Equal(LinkOutcome.Tampered, Judge($"{parts[0]}.{Service.Issue(Claims() with { ReviewerId = "rev-666" }).Split('.')[1]}.{parts[2]}", CallbackAction.Accept));
    }

    [Fact]
    public void A_link_used_for_another_action_is_tampered() =>
        Assert.Equal(LinkOutcome.Tampered, Judge(Service.Issue(Claims(CallbackAction.Accept)), CallbackAction.SubmitDetermination));

    [Fact]
    public void An_expired_link_is_expired_even_when_the_assignment_moved_on()
    {
        var token = Service.Issue(Claims());
        _time.Advance(TimeSpan.FromHours(1));

        Assert.Equal(LinkOutcome.Expired, Judge(token, CallbackAction.Accept));
        Assert.Equal(LinkOutcome.Expired, Judge(token, CallbackAction.Accept, Current with { IsCurrent = false }));
    }

    [Fact]
    public void A_used_link_is_reused_and_shows_the_first_result_not_an_error() =>
        Assert.Equal(LinkOutcome.Reused, Judge(Service.Issue(Claims()), CallbackAction.Accept, used: true));

    [Fact]
    public void A_link_of_a_reassigned_or_ended_assignment_is_superseded()
    {
        var token = Service.Issue(Claims());

        Assert.Equal(LinkOutcome.Superseded, Judge(token, CallbackAction.Accept, Current with { IsCurrent = false }));
        Assert.Equal(LinkOutcome.Superseded, Judge(token, CallbackAction.Accept, Current with { Ended = true }));
    }

    [Fact]
    public void A_link_signed_with_an_unknown_key_id_is_tampered()
    {
        var parts = Service.Issue(Claims()).Split('.');

        Assert.Equal(TokenProblem.UnknownKey, Service.Verify($"k0.{parts[1]}.{parts[2]}", CallbackAction.Accept, "CM13-1-A1").Problem);
        Assert.Equal(LinkOutcome.Tampered, Judge($"k0.{parts[1]}.{parts[2]}", CallbackAction.Accept));
    }

    [Fact]
    public void A_valid_token_for_an_assignment_of_another_reviewer_is_tampered() =>
        Assert.Equal(LinkOutcome.Tampered, Judge(Service.Issue(Claims()), CallbackAction.Accept, Current with { ReviewerId = "rev-003" }));
}
