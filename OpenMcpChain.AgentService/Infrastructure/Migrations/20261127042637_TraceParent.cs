using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenMcpChain.AgentService.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class TraceParent : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "TraceParent",
                table: "tasks",
                type: "varchar(64)",
                maxLength: 64,
                nullable: true)
                .Annotation("MySql:CharSet", "utf8mb4");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "TraceParent",
                table: "tasks");
        }
    }
}
