using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenMcpChain.ProofService.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class Eip712Attestations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "TypedData",
                table: "attestations",
                type: "longtext",
                nullable: true)
                .Annotation("MySql:CharSet", "utf8mb4");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "TypedData",
                table: "attestations");
        }
    }
}
