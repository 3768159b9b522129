"""The CPU demo (``lead-demo``): GRPO against LEAD from an over-thinking warm start, in minutes."""
