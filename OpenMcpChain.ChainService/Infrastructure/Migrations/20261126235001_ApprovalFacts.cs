using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenMcpChain.ChainService.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class ApprovalFacts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "ChainId",
                table: "approval_requests",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "DecisionLogIndex",
                table: "approval_requests",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "ExpiresAt",
                table: "approval_requests",
                type: "datetime(6)",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "From",
                table: "approval_requests",
                type: "varchar(42)",
                maxLength: 42,
                nullable: true)
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.AddColumn<string>(
                name: "Goal",
                table: "approval_requests",
                type: "text",
                nullable: true)
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.AddColumn<string>(
                name: "MethodJson",
                table: "approval_requests",
                type: "longtext",
                nullable: true)
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.AddColumn<string>(
                name: "Recipient",
                table: "approval_requests",
                type: "varchar(42)",
                maxLength: 42,
                nullable: true)
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.AddColumn<string>(
                name: "RequestedBy",
                table: "approval_requests",
                type: "varchar(64)",
                maxLength: 64,
                nullable: true)
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.AddColumn<long>(
                name: "SimulationGas",
                table: "approval_requests",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SimulationOutcome",
                table: "approval_requests",
                type: "varchar(32)",
                maxLength: 32,
                nullable: true)
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.AddColumn<string>(
                name: "TokenJson",
                table: "approval_requests",
                type: "text",
                nullable: true)
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.AddColumn<string>(
                name: "ValueEther",
                table: "approval_requests",
                type: "varchar(100)",
                maxLength: 100,
                nullable: true)
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.CreateIndex(
                name: "IX_approval_requests_DecisionLogIndex_Status",
                table: "approval_requests",
                columns: new[] { "DecisionLogIndex", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_approval_requests_Status_ExpiresAt",
                table: "approval_requests",
                columns: new[] { "Status", "ExpiresAt" });

            migrationBuilder.CreateIndex(
                name: "IX_approval_requests_TaskId",
                table: "approval_requests",
                column: "TaskId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_approval_requests_DecisionLogIndex_Status",
                table: "approval_requests");

            migrationBuilder.DropIndex(
                name: "IX_approval_requests_Status_ExpiresAt",
                table: "approval_requests");

            migrationBuilder.DropIndex(
                name: "IX_approval_requests_TaskId",
                table: "approval_requests");

            migrationBuilder.DropColumn(
                name: "ChainId",
                table: "approval_requests");

            migrationBuilder.DropColumn(
                name: "DecisionLogIndex",
                table: "approval_requests");

            migrationBuilder.DropColumn(
                name: "ExpiresAt",
                table: "approval_requests");

            migrationBuilder.DropColumn(
                name: "From",
                table: "approval_requests");

            migrationBuilder.DropColumn(
                name: "Goal",
                table: "approval_requests");

            migrationBuilder.DropColumn(
                name: "MethodJson",
                table: "approval_requests");

            migrationBuilder.DropColumn(
                name: "Recipient",
                table: "approval_requests");

            migrationBuilder.DropColumn(
                name: "RequestedBy",
                table: "approval_requests");

            migrationBuilder.DropColumn(
                name: "SimulationGas",
                table: "approval_requests");

            migrationBuilder.DropColumn(
                name: "SimulationOutcome",
                table: "approval_requests");

            migrationBuilder.DropColumn(
                name: "TokenJson",
                table: "approval_requests");

            migrationBuilder.DropColumn(
                name: "ValueEther",
                table: "approval_requests");
        }
    }
}
