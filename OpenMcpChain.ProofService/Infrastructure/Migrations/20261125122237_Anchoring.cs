using System;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenMcpChain.ProofService.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class Anchoring : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "TaskId",
                table: "log_entries",
                type: "varchar(64)",
                maxLength: 64,
                nullable: true)
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.AddColumn<long>(
                name: "LogIndex",
                table: "attestations",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "anchor_contracts",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("MySql:ValueGenerationStrategy", MySqlValueGenerationStrategy.IdentityColumn),
                    Network = table.Column<string>(type: "varchar(64)", maxLength: 64, nullable: false)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    ChainId = table.Column<long>(type: "bigint", nullable: false),
                    Address = table.Column<string>(type: "varchar(42)", maxLength: 42, nullable: false)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    Signer = table.Column<string>(type: "varchar(42)", maxLength: 42, nullable: false)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    DeployTxHash = table.Column<string>(type: "varchar(66)", maxLength: 66, nullable: false)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    DeployBlock = table.Column<long>(type: "bigint", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "datetime(6)", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_anchor_contracts", x => x.Id);
                })
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.CreateTable(
                name: "anchors",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("MySql:ValueGenerationStrategy", MySqlValueGenerationStrategy.IdentityColumn),
                    Network = table.Column<string>(type: "varchar(64)", maxLength: 64, nullable: false)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    ChainId = table.Column<long>(type: "bigint", nullable: false),
                    Contract = table.Column<string>(type: "varchar(42)", maxLength: 42, nullable: false)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    TreeSize = table.Column<long>(type: "bigint", nullable: false),
                    Root = table.Column<string>(type: "varchar(66)", maxLength: 66, nullable: false)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    TreeHeadTimestamp = table.Column<long>(type: "bigint", nullable: false),
                    TreeHeadSignature = table.Column<string>(type: "varchar(132)", maxLength: 132, nullable: false)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    TxHash = table.Column<string>(type: "varchar(66)", maxLength: 66, nullable: false)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    BlockNumber = table.Column<long>(type: "bigint", nullable: true),
                    Status = table.Column<string>(type: "varchar(16)", maxLength: 16, nullable: false)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    CreatedAt = table.Column<DateTimeOffset>(type: "datetime(6)", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "datetime(6)", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_anchors", x => x.Id);
                })
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.CreateIndex(
                name: "IX_log_entries_TaskId",
                table: "log_entries",
                column: "TaskId");

            migrationBuilder.CreateIndex(
                name: "IX_anchor_contracts_Network_Address",
                table: "anchor_contracts",
                columns: new[] { "Network", "Address" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_anchors_Contract_TreeSize",
                table: "anchors",
                columns: new[] { "Contract", "TreeSize" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_anchors_Status_TreeSize",
                table: "anchors",
                columns: new[] { "Status", "TreeSize" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "anchor_contracts");

            migrationBuilder.DropTable(
                name: "anchors");

            migrationBuilder.DropIndex(
                name: "IX_log_entries_TaskId",
                table: "log_entries");

            migrationBuilder.DropColumn(
                name: "TaskId",
                table: "log_entries");

            migrationBuilder.DropColumn(
                name: "LogIndex",
                table: "attestations");
        }
    }
}
