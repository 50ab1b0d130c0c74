using Imr.Domain.Deadlines;
using Imr.Domain.Letters;

namespace Imr.Functions;

/// <summary>Settings under <c>Imr</c> (environment: <c>Imr__OrganizationName</c> …).</summary>
public sealed class ImrOptions
{
    public const string Section = "Imr";

    public string OrganizationName { get; set; } = "MAXIMUS Federal Services";
    public string OrganizationShortName { get; set; } = "MAXIMUS";
    /// <summary>Divides every workflow duration; 1 in production (see DeadlinePolicy.TimeScale).</summary>
    public double TimeScale { get; set; } = 1;
    public TimeSpan AcceptanceWindow { get; set; } = TimeSpan.FromHours(24);
    /// <summary>How many reviewers are offered a case before it goes to the medical director.</summary>
    public int MaxOfferRounds { get; set; } = 5;
    public TimeSpan AtRiskWindow { get; set; } = TimeSpan.FromDays(3);
    public string MedicalDirectorEmail { get; set; } = "medical-director@imr.example";

    public IssuingOrganization Organization => new(OrganizationName, OrganizationShortName);

    public DeadlinePolicy DeadlinePolicy => DeadlinePolicy.CaliforniaWorkersCompensation with
    {
        AcceptanceWindow = AcceptanceWindow,
        TimeScale = TimeScale,
    };
}

/// <summary>Settings under <c>Callback</c>: signing keys and the public address links point to.</summary>
public sealed class CallbackOptions
{
    public const string Section = "Callback";

    /// <summary>Base of reviewer links, e.g. https://app.azurewebsites.net/api.</summary>
    public string PublicBaseUrl { get; set; } = "http://localhost:7071/api";
    public string CurrentKeyId { get; set; } = "";
    /// <summary>Key id → base64 key (at least 32 bytes). In Azure these come from Key Vault references.</summary>
    public Dictionary<string, string> Keys { get; set; } = [];
}
