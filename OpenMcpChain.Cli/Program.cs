using System.CommandLine;
using OpenMcpChain.Cli;
using OpenMcpChain.Cli.Commands;

var root = new RootCommand("openmcp: the OpenMCP-Chain command-line client")
{
    LoginCommands.Login(),
    LoginCommands.Logout(),
    SubmitCommand.Create(),
    TasksCommands.Create(),
    ApprovalsCommands.Create(),
    VerifyCommand.Create(),
    LogCommands.Create(),
};
root.Options.Add(Cli.ServerOption);
root.Options.Add(Cli.JsonOption);
return await root.Parse(args).InvokeAsync();
