using Imr.Domain.Callbacks;
using Microsoft.Extensions.Options;

namespace Imr.Functions.Services;

/// <summary>Builds the reviewer's links: our own routes with a signed token, never Durable management URLs.</summary>
public sealed class CallbackLinks(CallbackTokenService tokens, IOptions<CallbackOptions> options)
{
    public const string AcceptRoute = "reviewer/assignments/{assignmentId}/accept";
    public const string DeclineRoute = "reviewer/assignments/{assignmentId}/decline";
    public const string DeterminationRoute = "reviewer/assignments/{assignmentId}/determination";

    public string For(CallbackClaims claims)
    {
        var route = claims.Action switch
        {
            CallbackAction.Accept => AcceptRoute,
            CallbackAction.Decline => DeclineRoute,
            CallbackAction.SubmitDetermination => DeterminationRoute,
            _ => throw new ArgumentOutOfRangeException(nameof(claims), claims.Action, "No route for this action."),
        };
        var path = route.Replace("{assignmentId}", Uri.EscapeDataString(claims.AssignmentId), StringComparison.Ordinal);
        return $"{options.Value.PublicBaseUrl.TrimEnd('/')}/{path}?token={Uri.EscapeDataString(tokens.Issue(claims))}";
    }
}
