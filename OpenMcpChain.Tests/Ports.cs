using System.Net;
using System.Net.Sockets;

namespace OpenMcpChain.Tests;

/// <summary>Loopback ports for the processes and listeners a test (or a benchmark, which links this file) starts.</summary>
public static class Ports
{
    /// <summary>A port nothing listens on at this moment (the OS picks it; the caller binds it soon after).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
