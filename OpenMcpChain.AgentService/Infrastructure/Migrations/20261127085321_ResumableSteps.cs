using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenMcpChain.AgentService.Infrastructure.Migrations
{
    /// <summary>Steps that hold the conversation (the call a tool step answers, its answer as the model read it) and model call counts.</summary>
    public partial class ResumableSteps : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "ModelCalls",
                table: "tasks",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "ModelCallsSaved",
                table: "tasks",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<string>(
                name: "CallId",
                table: "task_steps",
                type: "varchar(128)",
                maxLength: 128,
                nullable: true)
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.AddColumn<string>(
                name: "Content",
                table: "task_steps",
                type: "longtext",
                nullable: true)
                .Annotation("MySql:CharSet", "utf8mb4");

            // Tasks that ran before: each recorded model turn was one model call.
            migrationBuilder.Sql("UPDATE tasks t SET t.ModelCalls = (SELECT COUNT(*) FROM task_steps s WHERE s.TaskId = t.Id AND s.Kind = 'model_turn');");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ModelCalls",
                table: "tasks");

            migrationBuilder.DropColumn(
                name: "ModelCallsSaved",
                table: "tasks");

            migrationBuilder.DropColumn(
                name: "CallId",
                table: "task_steps");

            migrationBuilder.DropColumn(
                name: "Content",
                table: "task_steps");
        }
    }
}
