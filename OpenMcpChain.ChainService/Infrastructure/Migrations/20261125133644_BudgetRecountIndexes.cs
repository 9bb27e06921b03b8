using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenMcpChain.ChainService.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class BudgetRecountIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_transactions_Network_Caller_CreatedAt",
                table: "transactions",
                columns: new[] { "Network", "Caller", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_transactions_Network_From_CreatedAt",
                table: "transactions",
                columns: new[] { "Network", "From", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_transactions_TaskId",
                table: "transactions",
                column: "TaskId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_transactions_Network_Caller_CreatedAt",
                table: "transactions");

            migrationBuilder.DropIndex(
                name: "IX_transactions_Network_From_CreatedAt",
                table: "transactions");

            migrationBuilder.DropIndex(
                name: "IX_transactions_TaskId",
                table: "transactions");
        }
    }
}
