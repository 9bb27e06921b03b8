using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenMcpChain.ProofService.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class TransparencyLog : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "log_entries",
                columns: table => new
                {
                    Index = table.Column<long>(type: "bigint", nullable: false),
                    Entry = table.Column<string>(type: "longtext", nullable: false)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    LeafHash = table.Column<byte[]>(type: "binary(32)", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "datetime(6)", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_log_entries", x => x.Index);
                })
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.CreateTable(
                name: "log_nodes",
                columns: table => new
                {
                    Level = table.Column<int>(type: "int", nullable: false),
                    Index = table.Column<long>(type: "bigint", nullable: false),
                    Hash = table.Column<byte[]>(type: "binary(32)", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_log_nodes", x => new { x.Level, x.Index });
                })
                .Annotation("MySql:CharSet", "utf8mb4");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "log_entries");

            migrationBuilder.DropTable(
                name: "log_nodes");
        }
    }
}
