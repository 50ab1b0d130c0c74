using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Imr.Domain.Cases;
using Imr.Domain.Letters;

namespace Imr.Domain.Tests;

/// <summary>The case's record: built once from the parse at intake, changed only as new versions, its package computed in memory.</summary>
public class CaseRecordTests
{
    private static CaseDocument Doc(string name, char sha = 'a') => new() { FileName = name, MediaType = "text/plain", Size = 10, Sha256 = new string(sha, 64) };

    private static CasePackage Own() => SampleData.Package() with { Documents = [Doc("medical-records.txt"), Doc("ur-decision.txt")] };

    private static CombinedApplication Application(string caseNumber, string itemId) =>
        new(caseNumber, SampleData.Package(items => { items.Clear(); items.Add(new DisputedItem { ItemId = itemId, Description = "6 Acupuncture sessions", Category = "Acupuncture", BodyPart = "lumbar spine" }); })
            with
        { CaseNumber = caseNumber, Documents = [Doc("medical-records.txt", 'b')] });

    private static CaseRecord Accepted() => CaseRecord.Accepted(Own(), new string('c', 64), [Doc("ur-decision.txt"), Doc("medical-records.txt")]);

    [Fact]
    public void The_package_merges_combined_applications_and_adds_supplementary_documents_after_the_listed_ones()
    {
        var record = Accepted()
            .WithCombined(Application("CM13-2", "PT-LUMBAR-12"), [Doc("CM13-2-medical-records.txt", 'b')])
            .WithAttached([Doc("zz-follow-up.txt"), Doc("a-follow-up.txt")]);

        Assert.Equal(3, record.Version);
        var package = record.Package;
        Assert.Equal(["PT-LUMBAR-12", "CM13-2-PT-LUMBAR-12"], package.DisputedItems.Select(i => i.ItemId));
        Assert.Equal(["medical-records.txt", "ur-decision.txt", "CM13-2-medical-records.txt", "a-follow-up.txt", "zz-follow-up.txt"], package.Documents.Select(d => d.FileName));
        Assert.Equal(Own().DisputedItems, record.Application.DisputedItems); // the application as accepted stays as it was
        Assert.Equal(["CM13-2-PT-LUMBAR-12"], record.ItemIdsAddedBy(Application("CM13-2", "PT-LUMBAR-12")));
        Assert.Equal([("CM13-2", "medical-records.txt", "CM13-2-medical-records.txt")], record.DocumentNamesOf(Application("CM13-2", "PT-LUMBAR-12")));
    }

    [Fact]
    public void A_change_already_made_gives_the_same_record_so_a_repeated_step_stores_nothing()
    {
        var record = Accepted();
        Assert.Same(record, record.WithAttached([Doc("medical-records.txt")]));
        var combined = record.WithCombined(Application("CM13-2", "X"), []);
        Assert.Equal(2, combined.Version);
        Assert.Same(combined, combined.WithCombined(Application("CM13-2", "X"), []));
        Assert.Same(record, record.WithCombined(new CombinedApplication(record.CaseNumber, Own()), [])); // never into itself
        var withBoth = record.WithCombined(Application("CM13-3", "Y"), [Doc("CM13-3-medical-records.txt")]);
        Assert.Equal(2, withBoth.Version); // one change, one version
        Assert.True(withBoth.IsAttached("CM13-3-medical-records.txt"));
    }

    [Fact]
    public void A_record_survives_its_stored_json()
    {
        var record = Accepted().WithCombined(Application("CM13-2", "ACU-6"), [Doc("CM13-2-medical-records.txt", 'b')]);

        var read = CaseRecord.FromJson(record.ToJson());

        Assert.Equal(record.Version, read.Version);
        Assert.Equal(record.ManifestSha256, read.ManifestSha256);
        Assert.Equal(JsonSerializer.Serialize(record.Package, CasePackage.JsonOptions), JsonSerializer.Serialize(read.Package, CasePackage.JsonOptions));
        Assert.DoesNotContain("\"package\":{\"caseNumber\":\"CM13-0012345\"", Encoding.UTF8.GetString(record.ToJson())); // the computed view is not stored
    }

    [Fact]
    public void Party_contacts_come_from_the_one_parse_and_a_byte_order_mark_is_read()
    {
        var node = JsonNode.Parse(JsonSerializer.Serialize(SampleData.Package() with { UtilizationReview = SampleData.Package().UtilizationReview with { DateServed = new DateOnly(2013, 6, 3) } }, CasePackage.JsonOptions))!;
        node["contacts"] = new JsonObject { ["injuredWorker"] = "w@example.org", ["claimsAdministrator"] = null };
        byte[] bytes = [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(node.ToJsonString())];

        var result = CasePackage.Parse(bytes);

        Assert.True(result.IsAccepted, string.Join("; ", result.Reasons));
        var record = CaseRecord.Accepted(result.Package!, new string('c', 64), []);
        Assert.Equal("w@example.org", record.Contacts.EmailOf(AddresseeRoles.InjuredWorker));
        Assert.Null(record.Contacts.EmailOf(AddresseeRoles.ClaimsAdministrator)); // by post
        Assert.Null(CaseRecord.Accepted(SampleData.Package(), new string('c', 64), []).Contacts.EmailOf(AddresseeRoles.Employer));
    }

    [Fact]
    public void Contacts_with_a_repeated_key_or_a_lone_surrogate_are_refused_at_intake()
    {
        // On old main the contacts were read beside the package, and such a manifest made a later step throw.
        var json = JsonSerializer.Serialize(SampleData.Package(), CasePackage.JsonOptions).TrimEnd().TrimEnd('}');
        Assert.False(CasePackage.Parse(Encoding.UTF8.GetBytes(json + ", \"contacts\": {\"injuredWorker\": \"w@example.org\", \"injuredWorker\": \"x@example.org\"}}")).IsAccepted);
        Assert.False(CasePackage.Parse(Encoding.UTF8.GetBytes(json + ", \"contacts\": {\"injuredWorker\": \"w\\ud800@example.org\"}}")).IsAccepted);
    }

    [Fact]
    public void Every_parse_is_counted_with_the_case_number_of_an_accepted_manifest()
    {
        var caseNumber = "CNT-" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var counted = new List<(long, object?)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == DomainMetrics.MeterName && instrument.Name == DomainMetrics.CasePackageParses) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags) if (tag.Key == DomainMetrics.CaseNumberTag && Equals(tag.Value, caseNumber)) lock (counted) counted.Add((value, tag.Value));
        });
        listener.Start();

        var package = SampleData.Package() with { CaseNumber = caseNumber };
        package = package with { UtilizationReview = package.UtilizationReview with { DateServed = package.UtilizationReview.DecisionDate } };
        Assert.True(CasePackage.Parse(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(package, CasePackage.JsonOptions))).IsAccepted);

        Assert.Equal([(1L, (object?)caseNumber)], counted);
    }
}
