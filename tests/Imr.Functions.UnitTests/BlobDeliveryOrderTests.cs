using Imr.LocalRuntime;

namespace Imr.Functions.UnitTests;

/// <summary>The blob watcher delivers a folder's blobs in the order they were written: a case's manifest after its documents.</summary>
public class BlobDeliveryOrderTests
{
    [Fact]
    public void A_folders_manifest_is_delivered_after_its_documents_which_keep_their_listed_order()
    {
        // As listed: alphabetical, so the manifest before "records.pdf".
        string[] listed = ["CM1/attachment.pdf", "CM1/manifest.json", "CM1/records.pdf", "CM1/x-manifest.json"];

        var order = BlobTriggerWatcher.DeliveryOrder(listed, n => n, new LocalRuntimeOptions().DeliveredLast).ToList();

        Assert.Equal(["CM1/attachment.pdf", "CM1/records.pdf", "CM1/x-manifest.json", "CM1/manifest.json"], order);
    }

    [Fact]
    public void A_blob_at_the_containers_root_with_that_name_is_last_too() =>
        Assert.Equal(["a.pdf", "manifest.json"], BlobTriggerWatcher.DeliveryOrder(["manifest.json", "a.pdf"], n => n, "manifest.json"));
}
