using System.Text;
using System.Text.Json.Nodes;
using Imr.Domain.Cases;

namespace Imr.Domain.Tests;

/// <summary>The documented contract (docs/case-package.schema.json) as the parser enforces it: each rule gives a specific reason.</summary>
public class CasePackageContractTests
{
    private static readonly string SampleManifestPath = Path.Combine(RepoRoot(), "samples", "sample-case", "CM13-0012345", "manifest.json");

    private static string RepoRoot()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "ImrFunctions.sln"))) root = Path.GetDirectoryName(root)!;
        return root;
    }

    private static IReadOnlyList<string> ReasonsFor(Action<JsonNode> change)
    {
        var node = JsonNode.Parse(File.ReadAllText(SampleManifestPath))!;
        change(node);
        var result = CasePackage.Parse(Encoding.UTF8.GetBytes(node.ToJsonString()));
        Assert.False(result.IsAccepted);
        return result.Reasons;
    }

    [Fact]
    public void The_sample_manifest_carries_the_whole_contract()
    {
        var p = CasePackage.Parse(File.ReadAllBytes(SampleManifestPath)).Package!;

        Assert.Equal(new DateOnly(2013, 6, 5), p.UtilizationReview.DateServed);
        Assert.Equal(NoticeMethod.Mail, p.UtilizationReview.ServedBy);
        Assert.Equal(UrOutcome.Denied, p.DisputedItems[0].UrOutcome);
        Assert.Equal(12, p.DisputedItems[0].Quantity);
        Assert.Equal(DocumentKind.MedicalRecords, p.Documents.Single(d => d.FileName == "medical-records.txt").Kind);
        Assert.Equal(54, p.Worker.AgeOn(p.ApplicationDate));
    }

    [Fact]
    public void Non_utf8_bytes_are_refused_with_their_position()
    {
        var bytes = File.ReadAllBytes(SampleManifestPath);
        bytes[20] = 0xC3; // a lead byte without its continuation
        bytes[21] = 0x28;

        var reason = Assert.Single(CasePackage.Parse(bytes).Reasons);

        Assert.Equal("The manifest is not valid UTF-8 (invalid byte sequence at byte 20).", reason);
    }

    [Fact]
    public void A_truncated_manifest_is_not_well_formed_json()
    {
        var bytes = File.ReadAllBytes(SampleManifestPath);

        var reason = Assert.Single(CasePackage.Parse(bytes.AsSpan(0, bytes.Length / 2)).Reasons);

        Assert.StartsWith("The manifest is not well-formed JSON (line ", reason);
    }

    [Fact]
    public void A_wrong_type_names_the_field()
    {
        var reasons = ReasonsFor(m => m["worker"]!["ageYears"] = "fifty-four");

        Assert.Contains(reasons, r => r.StartsWith("/worker/ageYears:") && r.Contains("[type]"));
    }

    [Fact]
    public void A_missing_field_names_it()
    {
        var reasons = ReasonsFor(m => m["utilizationReview"]!.AsObject().Remove("dateServed"));

        Assert.Contains(reasons, r => r.StartsWith("/utilizationReview:") && r.Contains("dateServed") && r.Contains("[required]"));
    }

    [Fact]
    public void Neither_birth_date_nor_age_is_refused()
    {
        var reasons = ReasonsFor(m => m["worker"]!.AsObject().Remove("ageYears"));

        Assert.Contains(reasons, r => r.StartsWith("/worker:") && r.Contains("the date of birth or the age is required"));
    }

    [Fact]
    public void An_invalid_calendar_date_is_refused()
    {
        var reasons = ReasonsFor(m => m["applicationDate"] = "2013-02-30");

        Assert.Contains(reasons, r => r.StartsWith("/applicationDate:") && r.Contains("[format]"));
    }

    [Fact]
    public void Zero_items_unknown_fields_and_unknown_outcomes_are_refused()
    {
        Assert.Contains(ReasonsFor(m => m["disputedItems"] = new JsonArray()), r => r.StartsWith("/disputedItems:") && r.Contains("[minItems]"));
        Assert.Contains(ReasonsFor(m => m["patientSsn"] = "x"), r => r.Contains("patientSsn") || r.Contains("[additionalProperties]"));
        Assert.Contains(ReasonsFor(m => m["disputedItems"]![0]!["urOutcome"] = "Approvedish"), r => r.StartsWith("/disputedItems/0/urOutcome:") && r.Contains("[enum]"));
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("sub/records.pdf")]
    [InlineData("..")]
    [InlineData("records\u0000.pdf")]
    public void Path_traversal_in_a_file_name_is_refused(string fileName)
    {
        var reasons = ReasonsFor(m => m["documents"]![0]!["fileName"] = fileName);

        Assert.Contains(reasons, r => r.StartsWith("/documents/0/fileName:") && r.Contains("no folders, no '..'"));
    }

    [Fact]
    public void An_oversized_or_unhashed_document_is_refused()
    {
        Assert.Contains(ReasonsFor(m => m["documents"]![0]!["size"] = CasePackage.MaxDocumentBytes + 1), r => r.StartsWith("/documents/0/size:") && r.Contains("[maximum]"));
        Assert.Contains(ReasonsFor(m => m["documents"]![0]!["sha256"] = "ABC"), r => r.StartsWith("/documents/0/sha256:") && r.Contains("64 lower-case hex digits"));
    }

    [Fact]
    public void Dates_out_of_order_each_give_their_reason()
    {
        Assert.Contains(ReasonsFor(m => m["utilizationReview"]!["dateServed"] = "2013-06-01"), r => r.StartsWith("utilizationReview.dateServed: the decision cannot be served before it was made"));
        Assert.Contains(ReasonsFor(m => m["applicationDate"] = "2013-06-04"), r => r.StartsWith("applicationDate: the application cannot precede service"));
        Assert.Contains(ReasonsFor(m => m["worker"]!["dateOfInjury"] = "2014-01-01"), r => r.StartsWith("worker.dateOfInjury:"));
        Assert.Contains(ReasonsFor(m => m["worker"]!["dateOfBirth"] = "2012-01-01"), r => r.StartsWith("worker.dateOfBirth: must precede the date of injury"));
    }

    [Fact]
    public void Expedited_without_the_physicians_certification_is_refused_and_with_it_accepted()
    {
        Assert.Contains(ReasonsFor(m => m["expedited"] = true), r => r.StartsWith("expeditedCertification:"));

        var node = JsonNode.Parse(File.ReadAllText(SampleManifestPath))!;
        node["expedited"] = true;
        node["expeditedCertification"] = new JsonObject { ["certifiedBy"] = "Dr. Alex Example", ["certifiedOn"] = "2013-06-19", ["statement"] = "Imminent and serious threat to health." };
        Assert.True(CasePackage.Parse(Encoding.UTF8.GetBytes(node.ToJsonString())).IsAccepted);
    }

    [Fact]
    public void Duplicate_document_names_are_refused()
    {
        var reasons = ReasonsFor(m => m["documents"]![1]!["fileName"] = "MEDICAL-RECORDS.txt");

        Assert.Contains("documents: file name 'medical-records.txt' appears more than once.", reasons);
    }

    [Fact]
    public void The_schema_in_docs_is_the_one_compiled_in()
    {
        Assert.Equal(File.ReadAllText(Path.Combine(RepoRoot(), "docs", "case-package.schema.json")), CasePackageSchema.Text());
    }
}
