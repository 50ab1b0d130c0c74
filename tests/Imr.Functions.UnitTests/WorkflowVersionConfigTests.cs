using System.Text.Json.Nodes;
using Imr.Functions.Workflow;
using Imr.LocalRuntime;

namespace Imr.Functions.UnitTests;

/// <summary>The version new cases start on is the same in Azure (host.json) and in the local runtime.</summary>
public sealed class WorkflowVersionConfigTests
{
    [Fact]
    public void Host_json_starts_new_cases_on_the_current_workflow_version_and_runs_older_ones()
    {
        var durable = HostJson()["extensions"]!["durableTask"]!;
        Assert.Equal(CaseWorkflowVersions.Current, (string?)durable["defaultVersion"]);
        Assert.Equal("CurrentOrOlder", (string?)durable["versionMatchStrategy"]);
        Assert.Equal("Reject", (string?)durable["versionFailureStrategy"]);
        Assert.Equal(CaseWorkflowVersions.Current, new LocalRuntimeOptions().WorkflowVersion);
    }

    internal static JsonNode HostJson()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "host.json");
            if (File.Exists(Path.Combine(dir.FullName, "ImrFunctions.sln"))) return JsonNode.Parse(File.ReadAllText(path))!;
        }

        throw new FileNotFoundException("host.json (repository root) not found");
    }
}
