using Imr.Domain.Cases;

namespace Imr.Domain.Tests;

/// <summary>Intake's rule for the files beside a manifest, without storage: manifest + listing (with hashes) → reasons or the files taken.</summary>
public class PackageVerificationTests
{
    private static readonly string ShaA = new('a', 64), ShaB = new('b', 64);

    private static CasePackage Package() => SampleData.Package() with
    {
        Documents = [new CaseDocument { FileName = "medical-records.txt", MediaType = "text/plain", Size = 10, Sha256 = ShaA }, new CaseDocument { FileName = "ur-decision.txt", MediaType = "text/plain", Size = 5, Sha256 = ShaB }],
    };

    [Fact]
    public void Listed_documents_that_match_and_unlisted_ones_go_into_the_case_and_one_not_there_yet_is_awaited()
    {
        var files = new[] { new DeliveredFile("manifest.json", 900, null), new DeliveredFile("MEDICAL-RECORDS.txt", 10, ShaA), new DeliveredFile("note.txt", 3, ShaB), new DeliveredFile("sub/x.txt", 3, null) };

        var verdict = PackageVerification.Verify(Package(), files);

        Assert.True(verdict.IsAccepted);
        Assert.Equal(["MEDICAL-RECORDS.txt", "note.txt"], verdict.Present.Select(f => f.FileName));
    }

    [Fact]
    public void A_listed_document_of_another_size_or_hash_and_a_file_over_the_limit_are_reasons_in_listing_order()
    {
        var files = new[] { new DeliveredFile("ur-decision.txt", 6, ShaB), new DeliveredFile("big.pdf", CasePackage.MaxDocumentBytes + 1, null), new DeliveredFile("medical-records.txt", 10, ShaB), new DeliveredFile("gone.txt", 3, null) };

        var verdict = PackageVerification.Verify(Package(), files);

        Assert.Equal([
            "documents[ur-decision.txt]: the file has 6 bytes but the manifest says 5.",
            $"documents[big.pdf]: {CasePackage.MaxDocumentBytes + 1} bytes exceeds the limit of {CasePackage.MaxDocumentBytes} bytes.",
            "documents[medical-records.txt]: its SHA-256 differs from the manifest's (the file was changed or damaged in transit).",
        ], verdict.Reasons);
        Assert.False(PackageVerification.MustRead("big.pdf", CasePackage.MaxDocumentBytes + 1));
        Assert.False(PackageVerification.MustRead("manifest.json", 10));
        Assert.True(PackageVerification.MustRead("note.txt", 10));
    }
}
