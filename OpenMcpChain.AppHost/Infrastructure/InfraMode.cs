namespace OpenMcpChain.AppHost;

/// <summary>How the infrastructure (MySQL, Redis, the devnet) runs.</summary>
public enum InfraMode
{
    /// <summary>Locally installed servers started as executables: the path on machines without a container engine.</summary>
    Executables,
    /// <summary>Containers: the usual Aspire path, and always the one written to the deployment manifest.</summary>
    Containers,
    /// <summary>Servers that already run elsewhere, given as connection strings (ConnectionStrings:mysql, :redis, Devnet:RpcUrl).</summary>
    Existing,
}
