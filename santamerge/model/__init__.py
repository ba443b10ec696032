"""The model layer: prompts, token budgets, generation and backends."""
