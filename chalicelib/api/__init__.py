"""The HTTP layer: blueprints of thin routes (validate -> one command or
query -> response)."""
