using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenMcpChain.ChainService.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class ToolCallLogIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "LogIndex",
                table: "tool_calls",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_tool_calls_LogIndex_PolicyDecision",
                table: "tool_calls",
                columns: new[] { "LogIndex", "PolicyDecision" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_tool_calls_LogIndex_PolicyDecision",
                table: "tool_calls");

            migrationBuilder.DropColumn(
                name: "LogIndex",
                table: "tool_calls");
        }
    }
}
