"""The workflow kernel: the one way a waiting step is done, and the tasks (待办) that say who must act.

- `errors`: the one hierarchy of refusals every app raises (message, rule, "已由XX处理");
- `kernel.step()`: lock → check the state the user saw → fire the protected transition with its object
  permission → save → audit event → close the finished step's tasks and open the next → notify on commit;
- `registry`: each app registers a `Flow` per item model: its noun, its page, and `waiting(item, day)`, the
  list of `Need`s (who must act, for which action, under which rule and clock);
- `models.Task`: an open task is the fact "this item waits on this post / unit / role / person";
- `selectors`: 我的待办, one indexed query over open tasks.
"""
