using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenMcpChain.ProofService.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class LogHeadRow : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "log_head",
                columns: table => new
                {
                    Id = table.Column<int>(type: "int", nullable: false),
                    Size = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_log_head", x => x.Id);
                })
                .Annotation("MySql:CharSet", "utf8mb4");

            // The head starts at the size of the log as it stands (empty on a new database).
            migrationBuilder.Sql("INSERT INTO log_head (Id, Size) SELECT 1, COALESCE(MAX(`Index`) + 1, 0) FROM log_entries;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "log_head");
        }
    }
}
