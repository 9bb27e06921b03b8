using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenMcpChain.ChainService.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class ApprovalError : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ErrorCode",
                table: "approval_requests",
                type: "varchar(64)",
                maxLength: 64,
                nullable: true)
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.AddColumn<string>(
                name: "ErrorMessage",
                table: "approval_requests",
                type: "text",
                nullable: true)
                .Annotation("MySql:CharSet", "utf8mb4");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ErrorCode",
                table: "approval_requests");

            migrationBuilder.DropColumn(
                name: "ErrorMessage",
                table: "approval_requests");
        }
    }
}
