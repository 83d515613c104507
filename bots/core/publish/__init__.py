"""Publishing: records to text, items of every source, the plan for a page, the ledger. Pure."""
