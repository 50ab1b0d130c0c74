using Imr.Domain.Cases;
using Imr.Domain.Eligibility;
using Imr.Domain.Letters;

namespace Imr.Domain.Deadlines;

/// <summary>
/// When the medical records are due after a notice of assignment (8 CCR 9792.10.5(a)): the records policy's period for
/// the case (expedited, mailed or electronic notice), compressed by the time scale like every other deadline of the
/// case. <see cref="Allowed"/> is what the notice states as the period.
/// </summary>
public sealed record RecordsDeadline(DateTimeOffset DueAt, TimeSpan Allowed)
{
    public static RecordsDeadline For(MedicalRecordsPolicy records, DeadlinePolicy policy, DateTimeOffset noticeSentAt, bool expedited, NoticeMethod notice)
    {
        var allowed = policy.Scale(records.Allowed(expedited, notice));
        return new RecordsDeadline(noticeSentAt + allowed, allowed);
    }

    /// <summary>
    /// The deadline by how the notice of assignment is ACTUALLY served (<see cref="NoticeServiceTo"/>), not by the
    /// manifest's <c>noticeOfAssignmentBy</c>: a claims administrator without an e-mail address is sent the notice by
    /// post and has the mailed notice's period (15 days, not 12). <paramref name="configured"/> is the workers'-comp
    /// records policy (settings <c>Imr:Intake</c>); a case of another program uses its own program's records rules, and
    /// one counting working days counts them on <paramref name="policy"/>'s calendar.
    /// </summary>
    public static RecordsDeadline For(MedicalRecordsPolicy configured, DeadlinePolicy policy, DateTimeOffset noticeSentAt, CasePackage package, PartyContacts contacts)
    {
        var served = NoticeServiceTo(contacts);
        var records = package.Program == ReviewProgram.CaliforniaWorkersCompensation ? configured : Programs.ReviewPrograms.For(package.Program).Records;
        if (!package.Expedited && records.WorkingDaysAfterNotice is { } days)
        {
            var unscaled = policy.Calendar.Add(noticeSentAt, DeadlineSpan.BusinessDays(days)) - noticeSentAt;
            var allowed = policy.Scale(unscaled);
            return new RecordsDeadline(noticeSentAt + allowed, allowed);
        }

        return For(records, policy, noticeSentAt, package.Expedited, served);
    }

    /// <summary>The notice of assignment goes by e-mail to a claims administrator with an address, else by post.</summary>
    public static NoticeMethod NoticeServiceTo(PartyContacts contacts) =>
        contacts.EmailOf(AddresseeRoles.ClaimsAdministrator) is null ? NoticeMethod.Mail : NoticeMethod.Electronic;
}
