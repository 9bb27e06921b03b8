using Microsoft.Playwright;

namespace OpenMcpChain.Tests;

/// <summary>Debian's Chromium driven through Playwright (no browser download), and where the screenshots tests keep go.</summary>
internal static class Chromium
{
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) =>
        playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ["--no-sandbox"] });

    /// <summary><c>.artifacts/screenshots/{name}.png</c> in the repository, beside the test results scripts/test.sh keeps.</summary>
    public static string ScreenshotPath(string name)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OpenMcpChain.sln"))) dir = dir.Parent;
        var folder = Path.Combine(dir?.FullName ?? AppContext.BaseDirectory, ".artifacts", "screenshots");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, $"{name}.png");
    }
}
