using Verification.Cli;

return await CliApp.RunAsync(args, CliContext.FromProcess(), CancellationToken.None).ConfigureAwait(false);
