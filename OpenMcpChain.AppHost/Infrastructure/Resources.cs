namespace OpenMcpChain.AppHost;

/// <summary>A MariaDB server run from the locally installed binaries through <c>scripts/mariadb-server.sh</c>.</summary>
public sealed class MariaDbExecutableResource(string name, string scriptPath, string workingDirectory, ParameterResource password)
    : ExecutableResource(name, scriptPath, workingDirectory), IResourceWithConnectionString
{
    public ParameterResource Password { get; } = password;
    public EndpointReference Endpoint => new(this, "tcp");

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Server={Endpoint.Property(EndpointProperty.IPV4Host)};Port={Endpoint.Property(EndpointProperty.Port)};User ID=root;Password={Password}");
}

/// <summary>A MariaDB container (the deployment path).</summary>
public sealed class MariaDbContainerResource(string name, ParameterResource password)
    : ContainerResource(name), IResourceWithConnectionString
{
    public ParameterResource Password { get; } = password;
    public EndpointReference Endpoint => new(this, "tcp");

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Server={Endpoint.Property(EndpointProperty.Host)};Port={Endpoint.Property(EndpointProperty.Port)};User ID=root;Password={Password}");
}

/// <summary>A redis-server run from the locally installed binary.</summary>
public sealed class RedisExecutableResource(string name, string command, string workingDirectory)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public EndpointReference Endpoint => new(this, "tcp");

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"{Endpoint.Property(EndpointProperty.IPV4Host)}:{Endpoint.Property(EndpointProperty.Port)}");
}

/// <summary>One database on a MySQL server; services receive its connection string as <c>ConnectionStrings__{name}</c>.</summary>
public sealed class MySqlDatabaseResource(string name, IResourceWithConnectionString server)
    : Resource(name), IResourceWithParent<IResourceWithConnectionString>, IResourceWithConnectionString
{
    public IResourceWithConnectionString Parent { get; } = server;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{Parent};Database={Name}");
}
