using Imr.Domain.Cases;
using Imr.Domain.Eligibility;

namespace Imr.Domain.Deadlines;

/// <summary>
/// When the claims administrator's medical records are due after a notice of assignment (8 CCR 9792.10.5): the records
/// policy's period for the case (expedited, mailed or electronic notice), compressed by the time scale like every other
/// deadline of the case. <see cref="Allowed"/> is what the notice states as the period.
/// </summary>
public sealed record RecordsDeadline(DateTimeOffset DueAt, TimeSpan Allowed)
{
    public static RecordsDeadline For(MedicalRecordsPolicy records, DeadlinePolicy policy, DateTimeOffset noticeSentAt, bool expedited, NoticeMethod notice)
    {
        var allowed = policy.Scale(records.Allowed(expedited, notice));
        return new RecordsDeadline(noticeSentAt + allowed, allowed);
    }
}
