using Imr.Domain.Cases;

namespace Imr.Domain.Programs;

/// <summary>What the claims administrator's authorisation of disputed treatment does to a review.</summary>
public enum AuthorisationEffect
{
    /// <summary>Nothing authorised that is disputed: the review goes on.</summary>
    NoChange,
    /// <summary>Some items authorised: they leave the review, the rest is still decided.</summary>
    ItemsWithdrawn,
    /// <summary>Every disputed item authorised: the review ends without a determination.</summary>
    ReviewEnds,
}

/// <summary>The effect of an authorisation, and the items still to decide.</summary>
public sealed record AuthorisationOutcome(AuthorisationEffect Effect, IReadOnlyList<string> Authorised, IReadOnlyList<string> StillDisputed);

/// <summary>
/// The review ends when the disputed treatment is authorised (8 CCR 9792.10.6(a)): once the claims administrator
/// authorises it there is nothing left to decide. Item by item, so a partial authorisation narrows the review.
/// </summary>
public static class TreatmentAuthorised
{
    public static AuthorisationOutcome Apply(CasePackage package, IEnumerable<string> authorisedItemIds)
    {
        var ids = authorisedItemIds.ToHashSet(StringComparer.Ordinal);
        var unknown = ids.Where(id => package.DisputedItems.All(i => i.ItemId != id)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"Not a disputed item of case {package.CaseNumber}: {string.Join(", ", unknown)}.", nameof(authorisedItemIds));
        }

        var authorised = package.DisputedItems.Where(i => ids.Contains(i.ItemId)).Select(i => i.ItemId).ToList();
        var still = package.DisputedItems.Where(i => !ids.Contains(i.ItemId)).Select(i => i.ItemId).ToList();
        var effect = authorised.Count == 0 ? AuthorisationEffect.NoChange : still.Count == 0 ? AuthorisationEffect.ReviewEnds : AuthorisationEffect.ItemsWithdrawn;
        return new AuthorisationOutcome(effect, authorised, still);
    }
}
