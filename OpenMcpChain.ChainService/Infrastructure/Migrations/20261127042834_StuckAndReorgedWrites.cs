using System;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenMcpChain.ChainService.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class StuckAndReorgedWrites : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "MaxFeePerGas",
                table: "transactions",
                type: "varchar(80)",
                maxLength: 80,
                nullable: true)
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.AddColumn<string>(
                name: "MaxPriorityFeePerGas",
                table: "transactions",
                type: "varchar(80)",
                maxLength: 80,
                nullable: true)
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.AddColumn<long>(
                name: "ReceiptLogIndex",
                table: "transactions",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Reorgs",
                table: "transactions",
                type: "int",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "Replacements",
                table: "transactions",
                type: "int",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<long>(
                name: "SentAtBlock",
                table: "transactions",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "transaction_replacements",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("MySql:ValueGenerationStrategy", MySqlValueGenerationStrategy.IdentityColumn),
                    TransactionId = table.Column<long>(type: "bigint", nullable: false),
                    Nonce = table.Column<long>(type: "bigint", nullable: false),
                    ReplacedHash = table.Column<string>(type: "varchar(66)", maxLength: 66, nullable: false)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    ReplacedRaw = table.Column<string>(type: "longtext", nullable: false)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    TxHash = table.Column<string>(type: "varchar(66)", maxLength: 66, nullable: false)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    MaxFeePerGas = table.Column<string>(type: "varchar(80)", maxLength: 80, nullable: false)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    MaxPriorityFeePerGas = table.Column<string>(type: "varchar(80)", maxLength: 80, nullable: false)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    Reason = table.Column<string>(type: "varchar(32)", maxLength: 32, nullable: false)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    TaskId = table.Column<string>(type: "varchar(64)", maxLength: 64, nullable: true)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    LogIndex = table.Column<long>(type: "bigint", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "datetime(6)", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_transaction_replacements", x => x.Id);
                })
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.CreateIndex(
                name: "IX_transaction_replacements_LogIndex",
                table: "transaction_replacements",
                column: "LogIndex");

            migrationBuilder.CreateIndex(
                name: "IX_transaction_replacements_TransactionId",
                table: "transaction_replacements",
                column: "TransactionId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "transaction_replacements");

            migrationBuilder.DropColumn(
                name: "MaxFeePerGas",
                table: "transactions");

            migrationBuilder.DropColumn(
                name: "MaxPriorityFeePerGas",
                table: "transactions");

            migrationBuilder.DropColumn(
                name: "ReceiptLogIndex",
                table: "transactions");

            migrationBuilder.DropColumn(
                name: "Reorgs",
                table: "transactions");

            migrationBuilder.DropColumn(
                name: "Replacements",
                table: "transactions");

            migrationBuilder.DropColumn(
                name: "SentAtBlock",
                table: "transactions");
        }
    }
}
