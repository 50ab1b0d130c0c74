using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using Imr.Functions.Storage;
using Imr.LocalRuntime;
using Imr.LocalRuntime.Demo;

// The local runtime: the Functions app without the Functions host. `--demo` pushes the sample case through
// (`--keep`: and keeps serving); `--upload <folder>` uploads a case folder to the intake container and exits.
var demo = args.Contains("--demo");
var demoEscalation = args.Contains("--demo-escalation"); // compressed time: reminders, missed reviewer due date, reassignment
var keep = args.Contains("--keep"); // after the demo, keep serving (with the console's development sign-in) until Ctrl+C
var staffConsole = args.Contains("--console") || keep; // serve with the development sign-in on (refused in App Service anyway)
var uploadAt = Array.IndexOf(args, "--upload"); // upload a case folder to the running app's intake container, then exit
var uploadFolder = uploadAt >= 0 && uploadAt + 1 < args.Length ? args[uploadAt + 1] : null;
var repoRoot = FindRepoRoot();
const string SampleCase = "CM13-0012345"; // the case of the sample Final Determination Letter (samples/sample-case)
var configuration = new ConfigurationBuilder()
    .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: false)
    .AddInMemoryCollection(new Dictionary<string, string?> { ["LocalRuntime:RosterSeedFile"] = Path.Combine(repoRoot, "samples", "roster.json") })
    .AddInMemoryCollection(LocalCallbackKeys(Path.Combine(repoRoot, ".local")))
    .AddInMemoryCollection(LocalFunctionKey(Path.Combine(repoRoot, ".local")))
    .AddEnvironmentVariables()
    .AddInMemoryCollection(demoEscalation ? EscalationDemo.Settings : [])
    .AddInMemoryCollection(staffConsole ? [new("Staff:DevSignIn", "true")] : [])
    .AddCommandLine(args.Where((a, i) => a is not ("--demo" or "--demo-escalation" or "--console" or "--keep" or "--upload") && (uploadAt < 0 || i != uploadAt + 1)).ToArray())
    .Build();

if (uploadAt >= 0)
{
    return await UploadAsync(uploadFolder);
}

// SIGTERM (kill, systemd, run.sh) and SIGINT (Ctrl+C) ask for a clean stop: the handlers cancel the default
// termination, Main returns and disposing the runtime stops HTTP, triggers and worker first, then the durable sidecar.
// A stop asked for is a normal end: exit code 0. (The hosts' own console lifetimes are switched off, see
// LocalFunctionsRuntime, so that only this order applies.)
var stopRequested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
using var onSigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, StopOnSignal);
using var onSigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, StopOnSignal);
void StopOnSignal(PosixSignalContext context)
{
    context.Cancel = true;
    stopRequested.TrySetResult();
}

await using var runtime = await LocalFunctionsRuntime.StartAsync(configuration);
var api = new Uri(runtime.BaseAddress, "/api/");
Console.WriteLine($"IMR local runtime listening on {api} with {runtime.Catalog.Functions.Count} functions:");
foreach (var f in runtime.Catalog.Functions)
{
    Console.WriteLine($"  {f.Kind,-13} {f.Name}{(f.Kind == TriggerKind.Http ? $"  {string.Join(',', f.Http.Methods ?? [])} /api/{f.Http.Route}" : "")}");
}

var blobs = runtime.Services.GetRequiredService<StorageClients>().Blobs;
var links = runtime.Services.GetRequiredService<DocumentLinks>();
if (demoEscalation)
{
    return await UntilStopped(EscalationDemo.RunAsync(runtime, blobs, repoRoot));
}

if (!demo)
{
    Console.WriteLine($"""

        Upload a case: put its documents, then its manifest.json, under intake/<case number>/ in {blobs.Uri}
          (the schema: docs/case-package.md; an example: samples/sample-case/).
        Reviewer links appear in the outbox container: outbox/<case number>/<assignment>-offer.eml.
        Case status: GET {api}cases/<case number>  (header {HttpRoutes.KeyHeader}: the key in .local/function-key)
        Staff console: {api}staff/cases{(staffConsole ? "  (development sign-in: pick a user and roles)" : "  (run ./run.sh --console for the development sign-in)")}
        Press Ctrl+C to stop.
        """);
    await stopRequested.Task;
    Console.WriteLine("Stopping…");
    return 0;
}

var demoResult = await UntilStopped(RunDemoAsync());
if (!keep || demoResult != 0 || stopRequested.Task.IsCompleted) return demoResult;

// --keep: the demo's case stays to be looked at, in the staff console with the development sign-in.
Console.WriteLine($"""

    [demo] Still running, so you can look around (Azurite and the app stop with Ctrl+C):
      Staff console: {api}staff/cases  (development sign-in: pick a user and roles)
      This case:     {CasePage(SampleCase)}
    """);
await stopRequested.Task;
Console.WriteLine("Stopping…");
return 0;

// A signal during a demo stops it too; what it did so far is in storage, and a rerun continues from there.
async Task<int> UntilStopped(Task<int> work)
{
    if (await Task.WhenAny(work, stopRequested.Task) == work) return await work;
    Console.WriteLine("Stopping…");
    return 0;
}

// Demo: the case of the sample Final Determination Letter, from upload to issued letter.
async Task<int> RunDemoAsync()
{
    const string caseNumber = SampleCase;
    using var http = new HttpClient();
    http.DefaultRequestHeaders.Add(HttpRoutes.KeyHeader, runtime.FunctionKey);
    var driver = new SampleCaseDriver(blobs, http);
    var timeout = TimeSpan.FromMinutes(2);
    Console.WriteLine($"\n[demo] Uploading case {caseNumber} to the intake container…");
    await driver.UploadPackageAsync(Path.Combine(repoRoot, "samples", "sample-case", caseNumber), caseNumber);
    var status = await runtime.Services.GetRequiredService<CaseStore>().GetAsync(caseNumber);
    if (status?.Status == "Closed")
    {
        Console.WriteLine("[demo] This case was already issued in an earlier run (a second delivery starts nothing new).");
    }
    else
    {
        var offer = await driver.WaitForLinkAsync(caseNumber, $"{caseNumber}-A1-offer", timeout);
        Console.WriteLine($"[demo] Reviewer offer link (from the outbox): {offer.GetLeftPart(UriPartial.Path)}?token=…");
        var (_, accepted) = await driver.FollowAndSubmitAsync(offer, new Dictionary<string, string>());
        Console.WriteLine($"[demo] Reviewer accepted: HTTP {(int)accepted.StatusCode}");
        var determinationLink = await driver.WaitForLinkAsync(caseNumber, $"{caseNumber}-A1-determination", timeout);
        var answers = SampleCaseDriver.LoadDetermination(Path.Combine(repoRoot, "samples", "sample-case", "determination.json"));
        var (_, submitted) = await driver.FollowAndSubmitAsync(determinationLink, SampleCaseDriver.DeterminationForm(answers));
        Console.WriteLine($"[demo] Reviewer submitted the determination: HTTP {(int)submitted.StatusCode}");
    }

    var closed = await driver.WaitForStatusAsync(runtime.BaseAddress, caseNumber, "Closed", timeout);
    // The record says Closed once the last activity ran; let the orchestration finish before the runtime stops.
    using (var wait = new CancellationTokenSource(timeout))
    {
        await runtime.DurableClient.WaitForInstanceCompletionAsync(Imr.Domain.Cases.CaseNumber.Parse(caseNumber).OrchestrationInstanceId, wait.Token);
    }

    var letter = closed.GetProperty("letter");
    var version = letter.TryGetProperty("version", out var v) ? v.GetInt32() : 1;
    var letterBlob = blobs.GetBlobContainerClient(letter.GetProperty("container").GetString()).GetBlobClient(letter.GetProperty("blobName").GetString());
    Console.WriteLine($"\n[demo] Case status: {closed}");
    Console.WriteLine($"[demo] Final Determination Letter (SHA-256 {letter.GetProperty("sha256").GetString()}):\n");
    Console.WriteLine((await letterBlob.DownloadContentAsync()).Value.Content.ToString());
    Console.WriteLine("[demo] The letter, saved:");
    foreach (var path in await LetterOutput.SaveAsync(blobs, caseNumber, version, Path.Combine(repoRoot, "out")))
    {
        Console.WriteLine($"  {Path.GetRelativePath(repoRoot, path)}");
    }

    Console.WriteLine($"[demo] Read-only links to the letter and the notices to the parties (.eml, PDF attached), valid {LetterOutput.LinkLifetime.TotalMinutes:0} minutes whenever Azurite runs{(keep ? "" : " (--keep keeps it running)")}:");
    foreach (var (label, link) in await LetterOutput.LinksAsync(blobs, links, caseNumber, version))
    {
        Console.WriteLine($"  {label}: {link}");
    }

    if (!keep)
    {
        Console.WriteLine($"[demo] To look around afterwards (staff console, this case's page {CasePage(caseNumber)}): ./run.sh --demo --keep");
    }

    return 0;
}

Uri CasePage(string caseNumber) => new(api, $"staff/cases/{Uri.EscapeDataString(caseNumber)}");

// `--upload <folder>`: Azurite (or the storage in ImrStorage) must be running; the app, started by ./run.sh in
// another terminal, picks the case up from the intake container.
async Task<int> UploadAsync(string? folder)
{
    if (folder is null || !Directory.Exists(folder))
    {
        await Console.Error.WriteLineAsync($"upload: no such folder '{folder}'. Usage: ./run.sh upload <case folder>  (documents + manifest.json, e.g. samples/sample-case/CM13-0012345)");
        return 2;
    }

    var storage = StorageClients.FromConfiguration(configuration);
    var caseNumber = await CaseUploader.UploadAsync(storage.Blobs, folder);
    var app = new Uri(new Uri(configuration["LocalRuntime:HttpUrl"] ?? "http://127.0.0.1:7071"), "/api/");
    Console.WriteLine($"""
        Uploaded case {caseNumber} to {storage.Blobs.Uri.ToString().TrimEnd('/')}/{StorageNames.IntakeContainer}/{caseNumber}/ (documents first, manifest.json last).
        With ./run.sh serving, follow it: GET {app}cases/{caseNumber}  (header {HttpRoutes.KeyHeader}: the key in .local/function-key)
          or the staff console: {app}staff/cases/{caseNumber}  (./run.sh --console for the development sign-in)
        """);
    return 0;
}

static string FindRepoRoot()
{
    for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "ImrFunctions.sln"))) return dir.FullName;
    }

    return Directory.GetCurrentDirectory();
}

// Locally the signing key is generated once and kept in the ignored .local folder, so links survive restarts.
// The function key of management routes, kept in .local so scripts and a developer's tools keep working across restarts.
static Dictionary<string, string?> LocalFunctionKey(string folder)
{
    var path = Path.Combine(folder, "function-key");
    if (!File.Exists(path))
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(path, Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant());
    }

    return new() { ["LocalRuntime:FunctionKey"] = File.ReadAllText(path).Trim() };
}

static Dictionary<string, string?> LocalCallbackKeys(string folder)
{
    if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("Callback__CurrentKeyId"))) return [];
    var path = Path.Combine(folder, "callback-keys.json");
    if (!File.Exists(path))
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(path, JsonSerializer.Serialize(new Dictionary<string, string> { ["local-1"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) }));
    }

    var keys = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path))!;
    var settings = keys.ToDictionary(k => $"Callback:Keys:{k.Key}", k => (string?)k.Value);
    settings["Callback:CurrentKeyId"] = keys.Keys.Last();
    return settings;
}
