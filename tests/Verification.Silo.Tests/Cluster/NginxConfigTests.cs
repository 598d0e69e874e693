using System.Diagnostics;
using Verification.Silo.Tests.Ui;

namespace Verification.Silo.Tests.Cluster;

/// <summary>
/// The nginx configuration of docker-compose.yml (<c>silo/cluster/nginx.conf</c>) is valid for a real nginx: the compose
/// file itself cannot run here (no Docker engine), so its silos' host names are pointed at loopback and
/// <c>nginx -t</c> judges the rest. <c>./test.sh</c> installs nginx.
/// </summary>
public sealed class NginxConfigTests
{
    [Fact]
    public async Task ComposeNginxConf_NginxTest_Accepts()
    {
        var root = UiFixture.RepositoryRoot();
        var text = await File.ReadAllTextAsync(Path.Combine(root, "silo", "cluster", "nginx.conf"));
        Assert.Contains("server silo1:5080", text, StringComparison.Ordinal);
        var directory = Directory.CreateTempSubdirectory("verification-nginx-").FullName;
        try
        {
            var config = Path.Combine(directory, "nginx.conf");
            await File.WriteAllTextAsync(config, text.Replace("silo1:5080", "127.0.0.1:5080", StringComparison.Ordinal)
                .Replace("silo2:5080", "127.0.0.1:5081", StringComparison.Ordinal)
                .Replace("silo3:5080", "127.0.0.1:5082", StringComparison.Ordinal));
            var nginx = File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx";
            var info = new ProcessStartInfo(nginx)
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            foreach (var argument in new[] { "-t", "-c", config, "-e", Path.Combine(directory, "error.log"), "-g", $"pid {Path.Combine(directory, "nginx.pid")};" })
            {
                info.ArgumentList.Add(argument);
            }

            using var process = Process.Start(info) ?? throw new InvalidOperationException("nginx did not start");
            var error = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, $"nginx -t exited {process.ExitCode}: {error}");
            Assert.Contains("test is successful", error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
