using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;
using OpenMcpChain.AgentService.Infrastructure;
using OpenMcpChain.AgentService.Progress;

namespace OpenMcpChain.AgentService.Queue;

/// <summary>
/// Every state change of a task goes through here: a conditional update (the task must be in one of the expected
/// states; the transition's other columns set in the same statement) and its <c>task_events</c> row commit together; then a progress event is published for live readers.
/// </summary>
public sealed class TaskTransitions(AgentDbContext db, TaskProgress progress, ILogger<TaskTransitions> logger)
{
    public async Task<bool> MoveAsync(string taskId, IReadOnlyCollection<string> from, string to, string? detail = null,
        Expression<Func<SetPropertyCalls<AgentTask>, SetPropertyCalls<AgentTask>>>? set = null)
    {
        var now = DateTimeOffset.UtcNow;
        // The whole transaction is retried when the database goes away midway (a restart), so a finished run is recorded.
        var moved = await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None);
            db.Database.AutoSavepointsEnabled = false; // a failure undoes the whole transaction: a savepoint would be two statements more
            var changed = await db.Tasks.Where(t => t.Id == taskId && from.Contains(t.Status))
                .ExecuteUpdateAsync(Then(s => s.SetProperty(t => t.Status, to).SetProperty(t => t.UpdatedAt, now), set), CancellationToken.None);
            if (changed == 0) return false;
            var evt = db.TaskEvents.Add(new TaskEvent { TaskId = taskId, Status = to, Detail = detail, At = now });
            try
            {
                await db.SaveChangesAsync(CancellationToken.None);
            }
            catch
            {
                evt.State = EntityState.Detached; // not inserted twice by the retry
                throw;
            }
            await transaction.CommitAsync(CancellationToken.None);
            return true;
        });
        if (!moved) return false;
        logger.LogInformation("Task {TaskId} moved to {State}{Detail}", taskId, to, detail is null ? "" : $" ({detail})");
        await progress.PublishAsync(taskId, new { type = "status", status = to, detail, at = now.ToUnixTimeMilliseconds() });
        return true;
    }

    /// <summary>The setters of <paramref name="first"/> followed by those of <paramref name="then"/>: one UPDATE statement for both.</summary>
    private static Expression<Func<SetPropertyCalls<AgentTask>, SetPropertyCalls<AgentTask>>> Then(
        Expression<Func<SetPropertyCalls<AgentTask>, SetPropertyCalls<AgentTask>>> first,
        Expression<Func<SetPropertyCalls<AgentTask>, SetPropertyCalls<AgentTask>>>? then) =>
        then is null ? first : Expression.Lambda<Func<SetPropertyCalls<AgentTask>, SetPropertyCalls<AgentTask>>>(
            new Substitute(then.Parameters[0], first.Body).Visit(then.Body), first.Parameters);

    /// <summary>Puts <paramref name="with"/> where <paramref name="parameter"/> stood.</summary>
    private sealed class Substitute(ParameterExpression parameter, Expression with) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == parameter ? with : base.VisitParameter(node);
    }
}
