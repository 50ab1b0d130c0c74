using Azure.Core;
using Imr.Domain.Callbacks;
using Imr.Functions.Services;
using Imr.Functions.Storage;
using Imr.Functions.Workflow;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Imr.Functions;

public static class ImrServiceCollectionExtensions
{
    /// <summary>Everything the function classes need. The Functions host and the local runtime both call this, so both run the same app.</summary>
    public static IServiceCollection AddImrApplication(this IServiceCollection services, IConfiguration configuration)
    {
        // Settings are bound and checked when the host starts (ValidateOnStart): a bad setting stops the app with a message
        // naming it, instead of failing a case's activity later.
        AddValidated<ImrOptions>(services, configuration.GetSection(ImrOptions.Section), o => o.Problems());
        AddValidated<CallbackOptions>(services, configuration.GetSection(CallbackOptions.Section), o => o.Problems());
        AddValidated<NotificationOptions>(services, configuration.GetSection(NotificationOptions.Section), o => o.Problems());
        AddValidated<IntakeOptions>(services, configuration.GetSection(IntakeOptions.Section), o => o.Problems());
        AddValidated<MatchingOptions>(services, configuration.GetSection(MatchingOptions.Section), o => o.Problems());
        // The development sign-in is refused at start inside App Service, whatever the setting says.
        AddValidated<Web.Staff.StaffOptions>(services, configuration.GetSection(Web.Staff.StaffOptions.Section), o => o.Problems(Web.Staff.StaffOptions.RunsInAppService(configuration)));
        services.TryAddSingleton(TimeProvider.System);

        services.AddSingleton(sp => StorageClients.FromConfiguration(configuration, counter: sp.GetService<StorageRequestCounter>()));
        services.AddSingleton<CaseStore>();
        services.AddSingleton(new RosterScope(configuration[$"{ImrOptions.Section}:RosterScope"] is { Length: > 0 } scope ? scope : "roster"));
        services.AddSingleton<RosterStore>();
        services.AddSingleton<ReviewerLoads>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<DocumentLinks>();
        services.AddSingleton<DocumentStore>();
        services.AddSingleton<CaseRecordStore>();
        switch (configuration[$"{NotificationOptions.Section}:Delivery"])
        {
            case null or "" or NotificationDelivery.Outbox:
                break;
            case NotificationDelivery.AzureCommunicationEmail:
                if (!Uri.TryCreate(configuration[$"{NotificationOptions.Section}:AcsEndpoint"], UriKind.Absolute, out _))
                {
                    throw new InvalidOperationException("Notifications__Delivery=AzureCommunicationEmail needs Notifications__AcsEndpoint (https://<name>.communication.azure.com).");
                }

                // The app's identity (the storage connection's credential) unless one is registered already (tests).
                services.TryAddSingleton<TokenCredential>(_ => StorageClients.CredentialFor(configuration));
                services.AddSingleton<INotificationSender>(sp => new AzureCommunicationEmailSender(
                    new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = TimeSpan.FromSeconds(100) },
                    sp.GetRequiredService<TokenCredential>(),
                    sp.GetRequiredService<IOptions<NotificationOptions>>(),
                    sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<AzureCommunicationEmailSender>>()));
                break;
            case var delivery:
                throw new InvalidOperationException($"Unknown Notifications__Delivery '{delivery}': use {NotificationDelivery.Outbox} or {NotificationDelivery.AzureCommunicationEmail}.");
        }

        services.AddSingleton<Outbox>();
        services.AddSingleton<LetterRegister>();
        services.AddSingleton<LetterIssuer>();
        services.AddSingleton<CaseClosing>();
        services.AddSingleton<CaseRegistration>();
        services.AddSingleton<ReviewerOffers>();
        services.AddSingleton<StaffLetterCorrections>();
        services.AddSingleton<WordingTemplateStore>();
        services.AddSingleton<MailRoomStore>();
        services.AddSingleton<PostalMail>();
        services.AddSingleton<DeadlineIndex>();
        services.AddSingleton<CallbackUses>();

        services.AddSingleton(sp => MatchingOptions.Matcher(sp.GetRequiredService<IOptions<MatchingOptions>>().Value));
        services.AddSingleton(sp => new CallbackTokenService(KeyRing(sp.GetRequiredService<IOptions<CallbackOptions>>().Value), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<CallbackLinks>();
        services.AddSingleton<ConsoleLinks>();

        services.AddSingleton<IntakeStore>();
        services.AddSingleton<CaseIntake>();
        services.AddSingleton<EligibilityResolutions>();
        services.AddTransient<IntakeActivities>();
        services.AddSingleton<AnswerFaults>();
        services.AddSingleton<AnswerRedelivery>();
        services.AddSingleton<ReviewerCallbacks>();
        services.AddSingleton<RosterAdmin>();
        services.AddSingleton<CaseStatusQuery>();
        services.AddSingleton<HealthCheck>();
        services.AddSingleton<Web.Staff.StaffAuth>();
        services.AddSingleton<StaffCases>();
        services.AddSingleton<DeadlineSweeper>();
        services.AddSingleton<Escalations>();
        services.AddSingleton<AtRiskReport>();
        services.AddSingleton<FiguresReport>();
        services.AddSingleton<WorkQueueReport>();
        services.AddSingleton<IntakeDesk>();
        services.AddSingleton<QuarantineRelease>();
        services.AddSingleton<ReviewChangeRequests>();
        services.AddTransient<CaseActivities>();
        services.AddTransient<IssuanceActivities>();
        services.AddTransient<AssignmentActivities>();
        return services;
    }

    private static void AddValidated<T>(IServiceCollection services, IConfiguration section, Func<T, IEnumerable<string>> problems)
        where T : class
    {
        services.AddOptions<T>().Bind(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<T>>(new ProblemsValidator<T>(problems));
    }

    /// <summary>Fails the options with every problem found, so one start names all bad settings.</summary>
    private sealed class ProblemsValidator<T>(Func<T, IEnumerable<string>> problems) : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options) =>
            problems(options).ToList() is { Count: > 0 } found ? ValidateOptionsResult.Fail(found) : ValidateOptionsResult.Success;
    }

    private static CallbackKeyRing KeyRing(CallbackOptions options)
    {
        if (options.Keys.Count == 0 || string.IsNullOrEmpty(options.CurrentKeyId))
        {
            throw new InvalidOperationException("Callback signing keys are not configured: set Callback__CurrentKeyId and Callback__Keys__<id> (base64, 32 bytes or more).");
        }

        var keys = options.Keys.ToDictionary(k => k.Key, k => Convert.FromBase64String(k.Value));
        if (keys.Values.Any(k => k.Length < 32))
        {
            throw new InvalidOperationException("Callback signing keys must be at least 32 bytes.");
        }

        return new CallbackKeyRing(options.CurrentKeyId, keys);
    }
}
